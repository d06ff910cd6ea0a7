package grpc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/ternhq/tern/framework/rpcerr"
)

// nopCloser is a connection that only collects what is written.
type nopCloser struct{ bytes.Buffer }

func (*nopCloser) Close() error { return nil }

// testConn is a conn writing into a buffer, with one stream whose send window is sendWindow.
func testConn(sendWindow int64) (*conn, *stream, *nopCloser) {
	w := &nopCloser{}
	c := newConn(w, bytes.NewReader(nil), DefaultConfig().normalized())
	c.sendWindow = 1 << 30
	st := newStream(c, 1, sendWindow)
	return c, st, w
}

// TestDataFramesRoundTrip writes messages as DATA frames in window-sized pieces, parses the frames back
// and feeds them to a receiving stream one frame at a time.
func TestDataFramesRoundTrip(t *testing.T) {
	msgs := [][]byte{nil, []byte("a"), bytes.Repeat([]byte("xyz"), 20000), []byte("tail")}
	for _, window := range []int64{3, 5, 7, 100, 16384, 1 << 20} {
		t.Run(fmt.Sprint("window=", window), func(t *testing.T) {
			c, st, w := testConn(window)
			for _, m := range msgs {
				o := &outbound{msg: m, hasMsg: true}
				for !o.done {
					st.sendWindow = window // the peer's WINDOW_UPDATE
					if err := c.writeOutLocked(st, o); err != nil {
						t.Fatal(err)
					}
				}
			}
			_ = c.flush()
			_, recv, _ := testConn(0)
			recv.recvWindow = 1 << 30
			fr := http2.NewFramer(nil, &w.Buffer)
			for {
				f, err := fr.ReadFrame()
				if err == io.EOF {
					break
				}
				df, ok := f.(*http2.DataFrame)
				if err != nil || !ok || int64(len(df.Data())) > window {
					t.Fatalf("frame %v, %v", f, err)
				}
				if code, msg := recv.push(df.Data(), len(df.Data()), false); code != 0 {
					t.Fatal(msg)
				}
			}
			recv.push(nil, 0, true)
			for i, want := range msgs {
				got, err := recv.recvMsg(context.Background())
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("message %d: %d bytes, %v", i, len(got), err)
				}
			}
			if _, err := recv.recvMsg(context.Background()); err != io.EOF {
				t.Fatalf("after the last message: %v", err)
			}
		})
	}
}

func TestReceiveErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		code rpcerr.Code
	}{
		{"ended inside the prefix", []byte{0, 0, 0}, rpcerr.CodeInternal},
		{"ended inside the message", []byte{0, 0, 0, 0, 9, 'a'}, rpcerr.CodeInternal},
		{"bad flag", []byte{2, 0, 0, 0, 0}, rpcerr.CodeInternal},
		{"over the size limit", []byte{0, 0x7f, 0, 0, 0}, rpcerr.CodeResourceExhausted},
		{"compressed without an encoding", []byte{1, 0, 0, 0, 1, 'z'}, rpcerr.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, st, _ := testConn(0)
			st.push(tt.data, len(tt.data), true)
			for range 2 { // the error sticks
				if _, err := st.recvMsg(context.Background()); rpcerr.CodeOf(err) != tt.code {
					t.Fatalf("recvMsg = %v, want %v", err, tt.code)
				}
			}
		})
	}
	t.Run("window exceeded", func(t *testing.T) {
		_, st, _ := testConn(0)
		if code, _ := st.push(make([]byte, 100), int(st.recvWindow)+1, false); code != http2.ErrCodeFlowControl {
			t.Fatalf("code = %v", code)
		}
	})
	t.Run("data after end", func(t *testing.T) {
		_, st, _ := testConn(0)
		st.push(nil, 0, true)
		if code, _ := st.push([]byte{0}, 1, false); code != http2.ErrCodeStreamClosed {
			t.Fatalf("code = %v", code)
		}
	})
}

// TestSlowReaderBackPressure checks that a receiver that does not read holds the sender back: the
// receive buffer fills the stream window and no more, the sender stops, and reading lets it resume.
func TestSlowReaderBackPressure(t *testing.T) {
	const msgSize, count = 16 << 10, 64 // 1 MiB through a 64 KiB stream window
	cfg := DefaultConfig()
	cfg.InitialWindowSize, cfg.InitialConnWindowSize = 65535, 16<<20
	var sent atomic.Int32
	streams := make(chan *ServerStream, 1)
	h := MethodMap{"/t.T/Flood": StreamFunc(func(ctx context.Context, ss *ServerStream) error {
		streams <- ss
		for i := range count {
			if err := ss.SendMsg(bytes.Repeat([]byte{byte(i)}, msgSize)); err != nil {
				return err
			}
			sent.Add(1)
		}
		return nil
	})}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cc := loopback(t, h, cfg)
	cs, err := cc.NewStream(ctx, "/t.T/Flood", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = cs.CloseSend()
	ss := <-streams
	waitUntil(ctx, t, func() bool { return recvWindow(cs.st) == 0 })
	c := ss.sc.c
	c.mu.Lock()
	serverWindow := ss.st.sendWindow
	c.mu.Unlock()
	cs.st.mu.Lock()
	buffered, unacked := cs.st.buffered, cs.st.unacked
	cs.st.mu.Unlock()
	if serverWindow != 0 || buffered != 65535 || unacked != 0 {
		t.Fatalf("server window %d, client buffered %d, unacknowledged %d", serverWindow, buffered, unacked)
	}
	if n := sent.Load(); n > 65535/msgSize {
		t.Fatalf("%d messages sent into a 64 KiB window", n)
	}
	for i := range count {
		b, err := cs.RecvMsg()
		if err != nil || len(b) != msgSize || b[0] != byte(i) {
			t.Fatalf("message %d: %d bytes, %v", i, len(b), err)
		}
		cs.st.mu.Lock()
		buffered = cs.st.buffered
		cs.st.mu.Unlock()
		if buffered > 65535 {
			t.Fatalf("buffered %d bytes, over the window", buffered)
		}
	}
	if _, err := cs.RecvMsg(); err != io.EOF {
		t.Fatal(err)
	}
}

func recvWindow(st *stream) int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.recvWindow
}

// waitUntil polls cond until it holds, failing the test when ctx ends first.
func waitUntil(ctx context.Context, t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("condition not reached")
		case <-time.After(time.Millisecond):
		}
	}
}

// loopback serves h on a loopback listener and returns a client connection to it.
func loopback(t *testing.T, h Handler, cfg Config) *ClientConn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(h, cfg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err == nil {
			_ = srv.ServeConn(nc)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cc, err := Dial(ctx, "tcp", ln.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cc.Close()
		_ = ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	return cc
}

func TestResetAfterDeadline(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Time
		code     http2.ErrCode
		want     rpcerr.Code
	}{
		{"cancel after the deadline", time.Now().Add(-time.Millisecond), http2.ErrCodeCancel, rpcerr.CodeDeadlineExceeded},
		{"cancel before the deadline", time.Now().Add(time.Hour), http2.ErrCodeCancel, rpcerr.CodeCanceled},
		{"cancel without a deadline", time.Time{}, http2.ErrCodeCancel, rpcerr.CodeCanceled},
		{"refused after the deadline", time.Now().Add(-time.Millisecond), http2.ErrCodeRefusedStream, rpcerr.CodeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, st, _ := testConn(0)
			st.deadline = tt.deadline
			if got := rpcerr.CodeOf(st.resetError(tt.code)); got != tt.want {
				t.Fatalf("code %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCancelBlockedSend cancels a call whose SendMsg waits for a window the server never opens.
func TestCancelBlockedSend(t *testing.T) {
	cfg := DefaultConfig()
	cfg.InitialWindowSize = 65535
	started := make(chan struct{})
	h := MethodMap{"/t.T/Deaf": StreamFunc(func(ctx context.Context, ss *ServerStream) error {
		close(started)
		<-ctx.Done() // never reads
		return ctx.Err()
	})}
	cc := loopback(t, h, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	callCtx, cancelCall := context.WithCancel(ctx)
	cs, err := cc.NewStream(callCtx, "/t.T/Deaf", nil)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	sent := make(chan error, 1)
	go func() { sent <- cs.SendMsg(make([]byte, 1<<20)) }()
	c := cc.c
	waitUntil(ctx, t, func() bool { // the send is blocked on the stream window
		c.mu.Lock()
		defer c.mu.Unlock()
		return cs.st.sendWindow == 0
	})
	cancelCall()
	if err := <-sent; rpcerr.CodeOf(err) != rpcerr.CodeCanceled {
		t.Fatalf("blocked SendMsg = %v, want Canceled", err)
	}
	if _, err := cs.RecvMsg(); rpcerr.CodeOf(err) != rpcerr.CodeCanceled {
		t.Fatalf("RecvMsg after cancel = %v", err)
	}
}

// TestShutdownLetsStreamsFinish shuts the server down while a bidi stream is open: the stream keeps
// working, new calls are refused, and Shutdown returns once the stream has ended.
func TestShutdownLetsStreamsFinish(t *testing.T) {
	h := MethodMap{"/t.T/Echo": StreamFunc(func(ctx context.Context, ss *ServerStream) error {
		for {
			b, err := ss.RecvMsg()
			if err != nil {
				return nil
			}
			if err := ss.SendMsg(b); err != nil {
				return err
			}
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := NewServer(h, DefaultConfig())
	go func() {
		if nc, err := ln.Accept(); err == nil {
			_ = srv.ServeConn(nc)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cc, err := Dial(ctx, "tcp", ln.Addr().String(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	cs, err := cc.NewStream(ctx, "/t.T/Echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.SendMsg([]byte("x")); err != nil { // the server has the stream before it shuts down
		t.Fatal(err)
	}
	if _, err := cs.RecvMsg(); err != nil {
		t.Fatal(err)
	}
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	waitUntil(ctx, t, func() bool { return !cc.Usable() }) // the GOAWAY arrived
	if _, err := cc.NewStream(ctx, "/t.T/Echo", nil); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Fatalf("new call after GOAWAY: %v", err)
	}
	for i := range 3 {
		if err := cs.SendMsg([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		if b, err := cs.RecvMsg(); err != nil || len(b) != 1 || b[0] != byte(i) {
			t.Fatalf("echo %d during shutdown: %v, %v", i, b, err)
		}
	}
	_ = cs.CloseSend()
	if _, err := cs.RecvMsg(); err != io.EOF {
		t.Fatal(err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
}

// TestHotPathAllocations pins the allocations of sending and receiving one small message: none to
// frame it, one (the copy of the DATA payload) to receive it.
func TestHotPathAllocations(t *testing.T) {
	c, st, w := testConn(1 << 30)
	msg := bytes.Repeat([]byte("m"), 1024)
	var o outbound
	send := testing.AllocsPerRun(200, func() {
		o = outbound{msg: msg, hasMsg: true}
		if err := c.writeOutLocked(st, &o); err != nil || !o.done {
			t.Fatal(err)
		}
		w.Reset()
	})
	_, recv, _ := testConn(0)
	recv.recvWindow = 1 << 40
	frame := append([]byte{0, 0, 0, 4, 0}, msg...)
	got := testing.AllocsPerRun(200, func() {
		recv.push(frame, len(frame), false)
		if b, err := recv.recvMsg(context.Background()); err != nil || len(b) != len(msg) {
			t.Fatal(err)
		}
	})
	if send != 0 || got > 1 {
		t.Fatalf("allocations: %v to send, %v to receive; want 0 and 1", send, got)
	}
}

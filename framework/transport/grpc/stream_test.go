package grpc_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport/grpc"
)

// streamMethods are the streaming handlers of the loopback tests. Requests of Range and FailAfter are
// two big-endian u32s.
func streamMethods(seen chan<- error) grpc.MethodMap {
	return grpc.MethodMap{
		"/test.Stream/Sum": grpc.StreamFunc(func(ctx context.Context, ss *grpc.ServerStream) error {
			var n, total uint32
			for {
				b, err := ss.RecvMsg()
				if err == io.EOF {
					return ss.SendMsg(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, n), total))
				}
				if err != nil {
					return err
				}
				n, total = n+1, total+uint32(len(b))
			}
		}),
		"/test.Stream/Range": grpc.StreamFunc(func(ctx context.Context, ss *grpc.ServerStream) error {
			count, size, err := twoInts(ss)
			if err != nil {
				return err
			}
			ss.SetTrailer(metadata.MD{"sent": {fmt.Sprint(count)}})
			for i := range count {
				if err := ss.SendMsg(bytes.Repeat([]byte{byte(i)}, int(size))); err != nil {
					return err
				}
			}
			return nil
		}),
		"/test.Stream/Echo": grpc.StreamFunc(echoStream),
		"/test.Stream/FailAfter": grpc.StreamFunc(func(ctx context.Context, ss *grpc.ServerStream) error {
			count, code, err := twoInts(ss)
			if err != nil {
				return err
			}
			for i := range count {
				if err := ss.SendMsg([]byte{byte(i)}); err != nil {
					return err
				}
			}
			ss.SetTrailer(metadata.MD{"why": {"asked to"}})
			return rpcerr.Errorf(rpcerr.Code(code), "failed after %d", count)
		}),
		"/test.Stream/Block": grpc.StreamFunc(func(ctx context.Context, ss *grpc.ServerStream) error {
			<-ctx.Done()
			if seen != nil {
				seen <- ctx.Err()
			}
			return ctx.Err()
		}),
	}
}

// echoStream echoes every message; its headers echo "x-in" and its trailers count the messages.
func echoStream(ctx context.Context, ss *grpc.ServerStream) error {
	if err := ss.SendHeader(metadata.MD{"echo-in": ss.Header()["x-in"], "h-bin": {"\x00\x01\xff"}}); err != nil {
		return err
	}
	n := 0
	for {
		b, err := ss.RecvMsg()
		if err == io.EOF {
			ss.SetTrailer(metadata.MD{"count": {fmt.Sprint(n)}, "t-bin": {"\xfe"}})
			return nil
		}
		if err != nil {
			return err
		}
		if err := ss.SendMsg(b); err != nil {
			return err
		}
		n++
	}
}

func twoInts(ss *grpc.ServerStream) (uint32, uint32, error) {
	b, err := ss.RecvMsg()
	if err != nil {
		return 0, 0, err
	}
	if len(b) != 8 {
		return 0, 0, rpcerr.Errorf(rpcerr.CodeInvalidArgument, "want 8 bytes, got %d", len(b))
	}
	return binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), nil
}

func ints(a, b uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, a), b)
}

// allMethods serves the unary and the streaming test methods.
func allMethods(seen chan<- error) grpc.MethodMap {
	m := testMethods()
	for k, v := range streamMethods(seen) {
		m[k] = v
	}
	return m
}

func startStreamServer(t *testing.T, cfg grpc.Config, seen chan<- error) *server {
	t.Helper()
	return startHandler(t, allMethods(seen), cfg)
}

// recvAll reads messages until the end of the call.
func recvAll(cs *grpc.ClientStream) ([][]byte, error) {
	var out [][]byte
	for {
		b, err := cs.RecvMsg()
		if err != nil {
			return out, err
		}
		out = append(out, b)
	}
}

func TestCallKinds(t *testing.T) {
	s := startStreamServer(t, grpc.DefaultConfig(), nil)
	cc := dial(t, s.addr, grpc.DefaultConfig())
	tests := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"unary", func(ctx context.Context) error {
			resp, _, _, err := cc.Invoke(ctx, "/test.Echo/Echo", nil, []byte("one"))
			return expect(err == nil && string(resp) == "one", "Invoke = %q, %v", resp, err)
		}},
		{"client streaming", func(ctx context.Context) error {
			cs, err := cc.NewStream(ctx, "/test.Stream/Sum", nil)
			if err != nil {
				return err
			}
			for i := range 10 {
				if err := cs.SendMsg(make([]byte, i)); err != nil {
					return err
				}
			}
			if err := cs.CloseSend(); err != nil {
				return err
			}
			msgs, err := recvAll(cs)
			return expect(err == io.EOF && len(msgs) == 1 && bytes.Equal(msgs[0], ints(10, 45)),
				"got %x, %v", msgs, err)
		}},
		{"server streaming", func(ctx context.Context) error {
			cs, err := cc.NewStream(ctx, "/test.Stream/Range", nil)
			if err != nil {
				return err
			}
			if err := cs.SendMsg(ints(20, 3)); err != nil {
				return err
			}
			_ = cs.CloseSend()
			msgs, err := recvAll(cs)
			if err != io.EOF || len(msgs) != 20 || !bytes.Equal(msgs[19], []byte{19, 19, 19}) {
				return fmt.Errorf("got %d messages, %v", len(msgs), err)
			}
			return expect(cs.Trailer().Get("sent") == "20", "trailer = %v", cs.Trailer())
		}},
		{"bidi streaming", func(ctx context.Context) error {
			cs, err := cc.NewStream(ctx, "/test.Stream/Echo", nil)
			if err != nil {
				return err
			}
			for i := range 50 {
				want := []byte(fmt.Sprint("ping ", i))
				if err := cs.SendMsg(want); err != nil {
					return err
				}
				got, err := cs.RecvMsg()
				if err != nil || !bytes.Equal(got, want) {
					return fmt.Errorf("message %d: %q, %v", i, got, err)
				}
			}
			_ = cs.CloseSend()
			_, err = cs.RecvMsg()
			return expect(err == io.EOF && cs.Trailer().Get("count") == "50", "end: %v, trailer %v", err, cs.Trailer())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(testCtx(t)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func expect(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return fmt.Errorf(format, args...)
}

func TestStreamMetadata(t *testing.T) {
	s := startStreamServer(t, grpc.DefaultConfig(), nil)
	cc := dial(t, s.addr, grpc.DefaultConfig())
	cs, err := cc.NewStream(testCtx(t), "/test.Stream/Echo", metadata.MD{"x-in": {"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := cs.Header() // sent by SendHeader before any message
	if err != nil || len(hdr.Values("echo-in")) != 2 || hdr.Get("h-bin") != "\x00\x01\xff" {
		t.Fatalf("Header = %v, %v", hdr, err)
	}
	if err := cs.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RecvMsg(); err != io.EOF {
		t.Fatalf("RecvMsg = %v", err)
	}
	if tr := cs.Trailer(); tr.Get("count") != "0" || tr.Get("t-bin") != "\xfe" {
		t.Fatalf("Trailer = %v", tr)
	}
}

func TestServerErrorMidStream(t *testing.T) {
	s := startStreamServer(t, grpc.DefaultConfig(), nil)
	cc := dial(t, s.addr, grpc.DefaultConfig())
	tests := []struct {
		name  string
		count uint32
		code  rpcerr.Code
	}{
		{"after three messages", 3, rpcerr.CodeAborted},
		{"before any message", 0, rpcerr.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := cc.NewStream(testCtx(t), "/test.Stream/FailAfter", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := cs.SendMsg(ints(tt.count, uint32(tt.code))); err != nil {
				t.Fatal(err)
			}
			msgs, err := recvAll(cs)
			var e *rpcerr.Error
			if len(msgs) != int(tt.count) || !errors.As(err, &e) || e.Code() != tt.code ||
				e.Message() != fmt.Sprintf("failed after %d", tt.count) {
				t.Fatalf("got %d messages, %v", len(msgs), err)
			}
			if cs.Trailer().Get("why") != "asked to" {
				t.Errorf("trailer = %v", cs.Trailer())
			}
			if _, herr := cs.Header(); tt.count == 0 && rpcerr.CodeOf(herr) != tt.code {
				t.Errorf("Header of a trailers-only response: %v", herr)
			}
			if err := cs.SendMsg([]byte("late")); err != io.EOF {
				t.Errorf("SendMsg after the end = %v, want io.EOF", err)
			}
		})
	}
}

func TestStreamDeadline(t *testing.T) {
	s := startStreamServer(t, grpc.DefaultConfig(), nil)
	cc := dial(t, s.addr, grpc.DefaultConfig())
	ctx, cancel := context.WithTimeout(testCtx(t), 100*time.Millisecond)
	defer cancel()
	cs, err := cc.NewStream(ctx, "/test.Stream/Block", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RecvMsg(); rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("RecvMsg = %v", err)
	}
	<-ctx.Done() // the server's deadline may fire first: then RecvMsg returned its status
	if err := cs.SendMsg([]byte("x")); rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("SendMsg = %v", err)
	}
	if cs.Context().Err() == nil {
		t.Fatal("stream context not done")
	}
	if _, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, []byte("after")); err != nil {
		t.Fatalf("connection broken: %v", err)
	}
}

func TestStreamCancel(t *testing.T) {
	seen := make(chan error, 1)
	s := startStreamServer(t, grpc.DefaultConfig(), seen)
	cc := dial(t, s.addr, grpc.DefaultConfig())
	ctx, cancel := context.WithCancel(testCtx(t))
	cs, err := cc.NewStream(ctx, "/test.Stream/Block", nil)
	if err != nil {
		t.Fatal(err)
	}
	recvErr := make(chan error, 1)
	go func() { _, err := cs.RecvMsg(); recvErr <- err }()
	cancel()
	if err := <-recvErr; rpcerr.CodeOf(err) != rpcerr.CodeCanceled {
		t.Fatalf("pending RecvMsg = %v", err)
	}
	select {
	case err := <-seen:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("handler saw %v, want its context cancelled", err)
		}
	case <-testCtx(t).Done():
		t.Fatal("handler context not cancelled")
	}
}

func TestStreamLargeMessages(t *testing.T) {
	cfg := grpc.DefaultConfig()
	cfg.InitialWindowSize, cfg.InitialConnWindowSize = 65535, 65535
	cfg.MaxRecvMsgSize = 8 << 20
	s := startStreamServer(t, cfg, nil)
	for _, gz := range []string{"", "gzip"} {
		t.Run("compression="+gz, func(t *testing.T) {
			ccfg := cfg
			ccfg.SendCompression = gz
			cc := dial(t, s.addr, ccfg)
			cs, err := cc.NewStream(testCtx(t), "/test.Stream/Echo", nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, size := range []int{3 << 20, 100, 1 << 20} {
				msg := bytes.Repeat([]byte{byte(i), 'x', byte(size)}, size/3)
				sent := make(chan error, 1)
				go func() { sent <- cs.SendMsg(msg) }() // the echo flows back while the message is sent
				got, err := cs.RecvMsg()
				if err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("message of %d bytes: got %d, %v", len(msg), len(got), err)
				}
				if err := <-sent; err != nil {
					t.Fatal(err)
				}
			}
			_ = cs.CloseSend()
			if _, err := cs.RecvMsg(); err != io.EOF {
				t.Fatal(err)
			}
		})
	}
}

func TestStreamMaxMessageSize(t *testing.T) {
	cfg := grpc.DefaultConfig()
	cfg.MaxRecvMsgSize, cfg.MaxSendMsgSize = 1000, 2000
	s := startStreamServer(t, cfg, nil)
	cc := dial(t, s.addr, cfg)
	tests := []struct {
		name string
		run  func(cs *grpc.ClientStream) error
	}{
		{"client sends too much", func(cs *grpc.ClientStream) error { return cs.SendMsg(make([]byte, 2001)) }},
		{"server receives too much", func(cs *grpc.ClientStream) error {
			if err := cs.SendMsg(make([]byte, 1001)); err != nil {
				return err
			}
			_, err := cs.RecvMsg()
			return err
		}},
		{"client receives too much", func(cs *grpc.ClientStream) error {
			cs2, err := cc.NewStream(cs.Context(), "/test.Stream/Range", nil)
			if err != nil {
				return err
			}
			if err := cs2.SendMsg(ints(1, 1500)); err != nil {
				return err
			}
			_, err = cs2.RecvMsg()
			return err
		}},
		{"server sends too much", func(cs *grpc.ClientStream) error {
			cs2, err := cc.NewStream(cs.Context(), "/test.Stream/Range", nil)
			if err != nil {
				return err
			}
			if err := cs2.SendMsg(ints(1, 2001)); err != nil {
				return err
			}
			_, err = cs2.RecvMsg()
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := cc.NewStream(testCtx(t), "/test.Stream/Echo", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.run(cs); rpcerr.CodeOf(err) != rpcerr.CodeResourceExhausted {
				t.Fatalf("err = %v, want ResourceExhausted", err)
			}
		})
	}
	if _, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, []byte("still fine")); err != nil {
		t.Fatal(err)
	}
}

func TestThousandConcurrentStreams(t *testing.T) {
	s := startStreamServer(t, grpc.DefaultConfig(), nil)
	cc := dial(t, s.addr, grpc.DefaultConfig())
	ctx := testCtx(t)
	var open atomic.Int32
	start := make(chan struct{})
	runConcurrently(t, 1000, func(i int) error {
		cs, err := cc.NewStream(ctx, "/test.Stream/Echo", nil)
		if err != nil {
			return err
		}
		if open.Add(1) == 1000 {
			close(start) // every stream is open at once before any message flows
		}
		<-start
		for j := range 3 {
			want := fmt.Appendf(nil, "%d/%d", i, j)
			if err := cs.SendMsg(want); err != nil {
				return err
			}
			if got, err := cs.RecvMsg(); err != nil || !bytes.Equal(got, want) {
				return fmt.Errorf("stream %d: %q, %v", i, got, err)
			}
		}
		_ = cs.CloseSend()
		if _, err := cs.RecvMsg(); err != io.EOF {
			return fmt.Errorf("stream %d end: %v", i, err)
		}
		return nil
	})
}

func runConcurrently(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestClientWaitsForStreamSlot(t *testing.T) {
	var running, peak atomic.Int32
	m := allMethods(nil)
	m["/test.Stream/Count"] = grpc.StreamFunc(func(ctx context.Context, ss *grpc.ServerStream) error {
		n := running.Add(1)
		defer running.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		_, err := ss.RecvMsg() // waits for the client to half-close
		if err != io.EOF {
			return err
		}
		return ss.SendMsg([]byte("done"))
	})
	cfg := grpc.DefaultConfig()
	cfg.MaxConcurrentStreams = 3
	s := startHandler(t, m, cfg)
	cc := dial(t, s.addr, grpc.DefaultConfig())
	runConcurrently(t, 30, func(i int) error {
		cs, err := cc.NewStream(testCtx(t), "/test.Stream/Count", nil)
		if err != nil {
			return err
		}
		_ = cs.CloseSend()
		got, err := cs.RecvMsg()
		return expect(err == nil && string(got) == "done", "stream %d: %q, %v", i, got, err)
	})
	if p := peak.Load(); p > 3 || p < 1 {
		t.Fatalf("peak concurrent handlers = %d, want 1..3", p)
	}
}

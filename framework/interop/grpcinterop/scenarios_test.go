package grpcinterop_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
)

// scenario is one streaming check, run with a client of one implementation against a server of the
// other. waited receives the context error each Wait handler ended with.
type scenario struct {
	name string
	run  func(ctx context.Context, open opener, waited <-chan error) error
}

func scenarios() []scenario {
	return []scenario{
		{"client streaming", clientStreaming},
		{"server streaming", serverStreaming},
		{"bidi with metadata both ways", bidiMetadata},
		{"error mid-stream", errorMidStream},
		{"deadline exceeded", deadlineExceeded},
		{"cancellation", cancellation},
		{"4 MiB message", bigMessage},
		{"1000 concurrent streams", thousandStreams},
	}
}

// drain reads messages until the end of the call.
func drain(cs clientStream) ([][]byte, error) {
	var out [][]byte
	for {
		b, err := cs.recv()
		if err != nil {
			return out, err
		}
		out = append(out, b)
	}
}

func clientStreaming(ctx context.Context, open opener, _ <-chan error) error {
	cs, err := open(ctx, streamSum)
	if err != nil {
		return err
	}
	for i := range 10 {
		if err := cs.send(make([]byte, i*1000)); err != nil {
			return err
		}
	}
	if err := cs.closeSend(); err != nil {
		return err
	}
	msgs, err := drain(cs)
	if err != io.EOF || len(msgs) != 1 || !bytes.Equal(msgs[0], ints(10, 45000)) {
		return fmt.Errorf("got %x, %v", msgs, err)
	}
	if n := cs.trailer()["n"]; len(n) != 1 || n[0] != "10" {
		return fmt.Errorf("trailer = %v", cs.trailer())
	}
	return nil
}

func serverStreaming(ctx context.Context, open opener, _ <-chan error) error {
	cs, err := open(ctx, streamRange)
	if err != nil {
		return err
	}
	if err := cs.send(ints(100, 300)); err != nil {
		return err
	}
	if err := cs.closeSend(); err != nil {
		return err
	}
	msgs, err := drain(cs)
	if err != io.EOF || len(msgs) != 100 {
		return fmt.Errorf("got %d messages, %v", len(msgs), err)
	}
	for i, m := range msgs {
		if !bytes.Equal(m, repeat(byte(i), 300)) {
			return fmt.Errorf("message %d wrong", i)
		}
	}
	if sent := cs.trailer()["sent"]; len(sent) != 1 || sent[0] != "100" {
		return fmt.Errorf("trailer = %v", cs.trailer())
	}
	return nil
}

func bidiMetadata(ctx context.Context, open opener, _ <-chan error) error {
	cs, err := open(ctx, streamEcho, "x-in", "v1", "x-in", "v2", "x-bin", "\xff\x00\x01")
	if err != nil {
		return err
	}
	hdr, err := cs.header()
	if err != nil {
		return err
	}
	if in := hdr["echo-in"]; len(in) != 2 || in[0] != "v1" || in[1] != "v2" || len(hdr["h-bin"]) != 1 ||
		hdr["h-bin"][0] != "\xff\x00\x01" {
		return fmt.Errorf("header = %q", hdr)
	}
	for i := range 50 {
		want := fmt.Appendf(nil, "ping %d", i)
		if err := cs.send(want); err != nil {
			return err
		}
		if got, err := cs.recv(); err != nil || !bytes.Equal(got, want) {
			return fmt.Errorf("round trip %d: %q, %v", i, got, err)
		}
	}
	if err := cs.closeSend(); err != nil {
		return err
	}
	if _, err := cs.recv(); err != io.EOF {
		return fmt.Errorf("end: %v", err)
	}
	tr := cs.trailer()
	if c := tr["count"]; len(c) != 1 || c[0] != "50" || len(tr["t-bin"]) != 1 || tr["t-bin"][0] != "\x00\xfe" {
		return fmt.Errorf("trailer = %q", tr)
	}
	return nil
}

func errorMidStream(ctx context.Context, open opener, _ <-chan error) error {
	for _, code := range []rpcerr.Code{rpcerr.CodeAborted, rpcerr.CodeDataLoss, rpcerr.CodeUnauthenticated} {
		cs, err := open(ctx, streamFail)
		if err != nil {
			return err
		}
		if err := cs.send(ints(3, uint32(code))); err != nil {
			return err
		}
		msgs, err := drain(cs)
		var e *rpcerr.Error
		if len(msgs) != 3 || !isCode(err, code) || !errors.As(err, &e) || e.Message() != "failed after 3" {
			return fmt.Errorf("code %v: got %d messages, %v", code, len(msgs), err)
		}
		if why := cs.trailer()["why"]; len(why) != 1 || why[0] != "asked to" {
			return fmt.Errorf("trailer = %v", cs.trailer())
		}
	}
	return nil
}

// waitStarted opens a Wait call and waits for its headers, so the server's handler runs.
func waitStarted(ctx context.Context, open opener) (clientStream, error) {
	cs, err := open(ctx, streamWait)
	if err != nil {
		return nil, err
	}
	if hdr, err := cs.header(); err != nil || len(hdr["waiting"]) != 1 {
		return nil, fmt.Errorf("header = %v, %v", hdr, err)
	}
	return cs, nil
}

func deadlineExceeded(ctx context.Context, open opener, waited <-chan error) error {
	dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	cs, err := waitStarted(dctx, open)
	if err != nil {
		return err
	}
	if _, err := cs.recv(); !isCode(err, rpcerr.CodeDeadlineExceeded) {
		return fmt.Errorf("recv = %v, want DeadlineExceeded", err)
	}
	return serverEnded(ctx, waited, nil)
}

func cancellation(ctx context.Context, open opener, waited <-chan error) error {
	cctx, cancel := context.WithCancel(ctx)
	cs, err := waitStarted(cctx, open)
	if err != nil {
		cancel()
		return err
	}
	recvErr := make(chan error, 1)
	go func() { _, err := cs.recv(); recvErr <- err }()
	cancel()
	if err := <-recvErr; !isCode(err, rpcerr.CodeCanceled) {
		return fmt.Errorf("pending recv = %v, want Canceled", err)
	}
	return serverEnded(ctx, waited, context.Canceled)
}

// serverEnded waits for the Wait handler's context to end (with want, unless nil).
func serverEnded(ctx context.Context, waited <-chan error, want error) error {
	select {
	case err := <-waited:
		if err == nil || want != nil && err != want {
			return fmt.Errorf("handler context ended with %v, want %v", err, want)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("handler context never ended")
	}
}

func bigMessage(ctx context.Context, open opener, _ <-chan error) error {
	cs, err := open(ctx, streamEcho)
	if err != nil {
		return err
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), bigSize/16)
	sent := make(chan error, 1)
	go func() { sent <- cs.send(big) }() // the echo streams back while the request is sent
	got, err := cs.recv()
	if err != nil || !bytes.Equal(got, big) {
		return fmt.Errorf("echo of 4 MiB: %d bytes, %v", len(got), err)
	}
	if err := <-sent; err != nil {
		return err
	}
	if err := cs.closeSend(); err != nil {
		return err
	}
	if _, err := cs.recv(); err != io.EOF {
		return fmt.Errorf("end: %v", err)
	}
	return nil
}

func thousandStreams(ctx context.Context, open opener, _ <-chan error) error {
	const n = 1000
	var wg sync.WaitGroup
	opened := make(chan struct{})
	var mu sync.Mutex
	count := 0
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cs, err := open(ctx, streamEcho)
			mu.Lock()
			if count++; count == n {
				close(opened) // every stream is open before any message flows
			}
			mu.Unlock()
			<-opened
			if err == nil {
				err = echoTwice(cs, i)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func echoTwice(cs clientStream, i int) error {
	for j := range 2 {
		want := fmt.Appendf(nil, "%d/%d", i, j)
		if err := cs.send(want); err != nil {
			return err
		}
		if got, err := cs.recv(); err != nil || !bytes.Equal(got, want) {
			return fmt.Errorf("stream %d: %q, %v", i, got, err)
		}
	}
	if err := cs.closeSend(); err != nil {
		return err
	}
	if _, err := cs.recv(); err != io.EOF {
		return fmt.Errorf("stream %d end: %v", i, err)
	}
	return nil
}

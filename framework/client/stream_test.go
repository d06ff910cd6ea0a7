package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
)

func grpcClient(t *testing.T, addr string) pbechoservice.Client {
	t.Helper()
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(transport.GRPC))
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}

func TestClientStreaming(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	stream, err := grpcClient(t, addr).Collect(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"a", "b", "c"} {
		if err := stream.Send(&pbecho.Msg{Value: v}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	got, err := stream.CloseAndRecv()
	if err != nil || got.GetValue() != "abc" {
		t.Fatalf("CloseAndRecv = %v, %v; want abc", got, err)
	}
}

func TestServerStreaming(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	cli := grpcClient(t, addr)
	ctx := testContext(t)
	stream, err := cli.Repeat(ctx, &pbecho.Msg{Value: "x", Count: 5})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || m.GetValue() != "x" {
			t.Fatalf("Recv %d = %v, %v", n, m, err)
		}
		n++
	}
	if n != 5 {
		t.Fatalf("received %d messages, want 5", n)
	}

	// An error after the first message reaches the client with its code, after that message.
	stream, err = cli.Repeat(ctx, &pbecho.Msg{Value: "fail", Count: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("first Recv: %v", err)
	}
	if _, err := stream.Recv(); rpcerr.CodeOf(err) != rpcerr.CodeAborted {
		t.Fatalf("second Recv: %v, want Aborted", err)
	}
}

func TestBidiStreaming(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	stream, err := grpcClient(t, addr).Chat(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("z", 300<<10) // larger than the 64 KiB initial HTTP/2 window
	for i, v := range []string{"one", big, "three"} {
		if err := stream.Send(&pbecho.Msg{Value: v}); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
		m, err := stream.Recv()
		if err != nil || m.GetValue() != v {
			t.Fatalf("Recv %d: %d bytes, %v", i, len(m.GetValue()), err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after CloseSend = %v, want io.EOF", err)
	}
}

// Cancelling a stream's context ends it on both sides; the server's handler sees its context end.
func TestStreamCancellation(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	cli := grpcClient(t, addr)
	ctx, cancel := context.WithCancel(testContext(t))
	stream, err := cli.Chat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&pbecho.Msg{Value: "hi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := stream.Recv(); rpcerr.CodeOf(err) != rpcerr.CodeCanceled {
		t.Fatalf("Recv after cancel = %v, want Canceled", err)
	}
	// The connection still serves other calls.
	if r, err := cli.Say(testContext(t), &pbecho.Msg{Value: "after"}); err != nil || r.GetValue() != "after" {
		t.Fatalf("Say after a cancelled stream: %v, %v", r, err)
	}
}

func TestStreamDeadline(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	ctx, cancel := context.WithTimeout(testContext(t), 100*time.Millisecond)
	defer cancel()
	stream, err := grpcClient(t, addr).Chat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("Recv past the deadline = %v, want DeadlineExceeded", err)
	}
}

// Streaming needs the gRPC transport and a streaming method.
func TestStreamNeedsGRPC(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr)) // TTHeader
	defer cli.Close()
	if _, err := cli.Chat(testContext(t)); rpcerr.CodeOf(err) != rpcerr.CodeUnimplemented {
		t.Fatalf("Chat over TTHeader = %v, want Unimplemented", err)
	}
}

// Many streams share one HTTP/2 connection at once.
func TestManyConcurrentStreams(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	cli := grpcClient(t, addr)
	ctx := testContext(t)
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			stream, err := cli.Chat(ctx)
			if err != nil {
				errs <- err
				return
			}
			v := fmt.Sprint(i)
			if err := stream.Send(&pbecho.Msg{Value: v}); err != nil {
				errs <- err
				return
			}
			if m, err := stream.Recv(); err != nil || m.GetValue() != v {
				errs <- fmt.Errorf("stream %d: %v, %v", i, m, err)
				return
			}
			_ = stream.CloseSend()
			if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
				errs <- fmt.Errorf("stream %d end: %v", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// With a tracer, a stream is recorded from NewStream to the end RecvMsg reports: its method, the
// instance and its status; a stream the caller cancels ends as cancelled.
func TestStreamsAreTraced(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	rec := new(statsRecorder)
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr),
		client.WithTransportProtocol(transport.GRPC), client.WithTracer(rec))
	defer cli.Close()
	ctx := testContext(t)

	stream, err := cli.Repeat(ctx, &pbecho.Msg{Value: "fail", Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := stream.Recv(); err != nil {
			break
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	chat, err := cli.Chat(cctx)
	if err != nil {
		t.Fatal(err)
	}
	if rec.started != 2 {
		t.Fatalf("%d calls started, want 2", rec.started)
	}
	if n := len(rec.wait(t, 1)); n != 1 {
		t.Fatalf("%d calls finished while the chat is open, want 1", n)
	}
	_ = chat
	cancel()
	got := rec.wait(t, 2)
	if got[0].method != "Repeat" || got[0].code != rpcerr.CodeAborted || got[0].remote != addr {
		t.Errorf("Repeat recorded as %+v, want Aborted from %s", got[0], addr)
	}
	if got[1].method != "Chat" || got[1].code != rpcerr.CodeCanceled {
		t.Errorf("Chat recorded as %+v, want Canceled", got[1])
	}
}

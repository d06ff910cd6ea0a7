package grpc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport/grpc"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// handlers used by the loopback tests.
func testMethods() grpc.MethodMap {
	return grpc.MethodMap{
		"/test.Echo/Echo": grpc.UnaryFunc(func(ctx context.Context, md metadata.MD, req []byte) ([]byte, metadata.MD, error) {
			_ = metadata.SetHeader(ctx, metadata.MD{"echo-header": md["x-in"]})
			return req, metadata.MD{"echo-trailer": md["x-in"], "raw-bin": {"\x00\xff"}}, nil
		}),
		"/test.Echo/Fail": grpc.UnaryFunc(func(ctx context.Context, md metadata.MD, req []byte) ([]byte, metadata.MD, error) {
			var code int
			fmt.Sscan(string(req), &code)
			return nil, metadata.MD{"t": {"v"}}, rpcerr.Errorf(rpcerr.Code(code), "failed with %d: 100%% ünïcode\n", code)
		}),
		"/test.Echo/Block": grpc.UnaryFunc(func(ctx context.Context, md metadata.MD, req []byte) ([]byte, metadata.MD, error) {
			<-ctx.Done()
			return nil, nil, ctx.Err()
		}),
	}
}

type server struct {
	srv  *grpc.Server
	addr string
}

func startServer(t *testing.T, cfg grpc.Config) *server {
	t.Helper()
	return startHandler(t, testMethods(), cfg)
}

// startHandler serves h on a loopback listener until the test ends.
func startHandler(t testing.TB, h grpc.Handler, cfg grpc.Config) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{srv: grpc.NewServer(h, cfg), addr: ln.Addr().String()}
	var wg sync.WaitGroup
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); _ = s.srv.ServeConn(nc) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
		wg.Wait()
	})
	return s
}

func dial(t *testing.T, addr string, cfg grpc.Config) *grpc.ClientConn {
	t.Helper()
	cc, err := grpc.Dial(testCtx(t), "tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func TestUnaryEcho(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cc := dial(t, s.addr, grpc.DefaultConfig())
	resp, hdr, tr, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", metadata.MD{"x-in": {"a", "b"}}, []byte("ping"))
	if err != nil || string(resp) != "ping" {
		t.Fatalf("Invoke = %q, %v", resp, err)
	}
	if got := hdr["echo-header"]; len(got) != 2 || got[1] != "b" {
		t.Errorf("header = %v", hdr)
	}
	if tr.Get("echo-trailer") != "a" || tr.Get("raw-bin") != "\x00\xff" {
		t.Errorf("trailer = %v", tr)
	}
}

func TestEmptyMessage(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cc := dial(t, s.addr, grpc.DefaultConfig())
	resp, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, nil)
	if err != nil || len(resp) != 0 {
		t.Fatalf("Invoke = %q, %v", resp, err)
	}
}

func TestLargeMessageFlowControl(t *testing.T) {
	cfg := grpc.DefaultConfig()
	cfg.MaxRecvMsgSize = 8 << 20
	cfg.InitialWindowSize = 65535 // force many WINDOW_UPDATEs
	cfg.InitialConnWindowSize = 65535
	s := startServer(t, cfg)
	cc := dial(t, s.addr, cfg)
	big := bytes.Repeat([]byte("0123456789abcdef"), 4<<20/16)
	resp, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, big)
	if err != nil || !bytes.Equal(resp, big) {
		t.Fatalf("4 MiB echo: len %d, %v", len(resp), err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cc := dial(t, s.addr, grpc.DefaultConfig())
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := bytes.Repeat([]byte{byte(i)}, 1000+i*100)
			resp, _, _, err := cc.Invoke(ctx, "/test.Echo/Echo", nil, req)
			if err == nil && !bytes.Equal(resp, req) {
				err = fmt.Errorf("call %d: wrong response", i)
			}
			if err != nil {
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

func TestDeadlineExceeded(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cc := dial(t, s.addr, grpc.DefaultConfig())
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	_, _, _, err := cc.Invoke(ctx, "/test.Echo/Block", nil, nil)
	if rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("err = %v", err)
	}
	// the connection still works
	if _, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, []byte("x")); err != nil {
		t.Fatal(err)
	}
}

func TestCancel(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cc := dial(t, s.addr, grpc.DefaultConfig())
	ctx, cancel := context.WithCancel(testCtx(t))
	time.AfterFunc(30*time.Millisecond, cancel)
	_, _, _, err := cc.Invoke(ctx, "/test.Echo/Block", nil, nil)
	if rpcerr.CodeOf(err) != rpcerr.CodeCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if _, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, []byte("x")); err != nil {
		t.Fatal(err)
	}
}

func TestEveryStatusCode(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cc := dial(t, s.addr, grpc.DefaultConfig())
	for code := rpcerr.CodeCanceled; code <= rpcerr.CodeUnauthenticated; code++ {
		t.Run(code.String(), func(t *testing.T) {
			_, _, tr, err := cc.Invoke(testCtx(t), "/test.Echo/Fail", nil, []byte(fmt.Sprint(int(code))))
			var e *rpcerr.Error
			if !errors.As(err, &e) || e.Code() != code {
				t.Fatalf("err = %v, want code %v", err, code)
			}
			if want := fmt.Sprintf("failed with %d: 100%% ünïcode\n", code); e.Message() != want {
				t.Errorf("message = %q, want %q", e.Message(), want)
			}
			if tr.Get("t") != "v" {
				t.Errorf("trailer = %v", tr)
			}
		})
	}
}

func TestGzip(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cfg := grpc.DefaultConfig()
	cfg.SendCompression = "gzip"
	cc := dial(t, s.addr, cfg)
	req := bytes.Repeat([]byte("compress me "), 10000)
	resp, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, req)
	if err != nil || !bytes.Equal(resp, req) {
		t.Fatalf("gzip echo: %v", err)
	}
}

func TestMaxMessageSize(t *testing.T) {
	cfg := grpc.DefaultConfig()
	cfg.MaxRecvMsgSize = 1 << 20
	s := startServer(t, cfg)
	cc := dial(t, s.addr, grpc.DefaultConfig())
	_, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, make([]byte, 2<<20))
	if rpcerr.CodeOf(err) != rpcerr.CodeResourceExhausted {
		t.Fatalf("request too large: %v", err)
	}
	if _, _, _, err = cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, make([]byte, 1<<20)); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	smallCfg := grpc.DefaultConfig()
	smallCfg.MaxRecvMsgSize = 512 << 10
	small := dial(t, s.addr, smallCfg) // the response is too large for this client
	_, _, _, err = small.Invoke(testCtx(t), "/test.Echo/Echo", nil, make([]byte, 600<<10))
	if rpcerr.CodeOf(err) != rpcerr.CodeResourceExhausted {
		t.Fatalf("response too large: %v", err)
	}
	if _, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, []byte("ok")); err != nil {
		t.Fatalf("after: %v", err)
	}
}

func TestUnknownMethod(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cc := dial(t, s.addr, grpc.DefaultConfig())
	_, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Nope", nil, nil)
	if rpcerr.CodeOf(err) != rpcerr.CodeUnimplemented {
		t.Fatalf("err = %v", err)
	}
}

func TestNetpollClient(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	conn, err := tnetpoll.Dial(testCtx(t), "tcp", s.addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := grpc.NewClientConn(grpc.NewStreamConn(conn), grpc.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	big := bytes.Repeat([]byte("n"), 1<<20)
	resp, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, big)
	if err != nil || !bytes.Equal(resp, big) {
		t.Fatalf("netpoll echo: %v", err)
	}
}

func TestShutdownDrains(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cc := dial(t, s.addr, grpc.DefaultConfig())
	if _, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.Shutdown(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cc.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client connection not closed after GOAWAY")
	}
	if _, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, nil); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Fatalf("after shutdown: %v", err)
	}
}

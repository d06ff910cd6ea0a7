package client_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/client/callopt"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

func TestPerCallHostPortAndTimeout(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	// The client's own address is dead; the per-call address is the server.
	cli := echoservice.MustNewClient("echo", client.WithHostPorts("127.0.0.1:1"), client.WithRPCTimeout(5*time.Second))
	defer cli.Close()
	if _, err := cli.Echo(testContext(t), &echo.Request{Message: "x"}); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Fatalf("call to a dead address: err = %v, want unavailable", err)
	}
	resp, err := cli.Echo(testContext(t), &echo.Request{Message: "x"}, callopt.WithHostPort(addr))
	if err != nil || resp.Message != "x" {
		t.Fatalf("call with WithHostPort: %v, %v", resp, err)
	}
	_, err = cli.Echo(testContext(t), &echo.Request{DelayMs: 2000}, callopt.WithHostPort(addr), callopt.WithRPCTimeout(50*time.Millisecond))
	if rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("per-call timeout: err = %v", err)
	}
}

func TestCancellation(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	for _, opt := range []client.Option{client.WithShortConnection(), client.WithMuxConnection(1), client.WithLongConnection(connpoolDefault())} {
		cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), opt)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := cli.Echo(ctx, &echo.Request{DelayMs: 2000})
		if rpcerr.CodeOf(err) != rpcerr.CodeCanceled {
			t.Fatalf("cancelled call: err = %v, want canceled", err)
		}
		if _, err := cli.Echo(testContext(t), &echo.Request{Message: "again"}); err != nil {
			t.Fatalf("call after a cancelled one: %v", err)
		}
		cli.Close()
	}
}

func TestMiddlewareSeesRPCInfo(t *testing.T) {
	var serverSaw, clientSaw atomic.Value
	svrMW := func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			ri := rpcinfo.FromContext(ctx)
			serverSaw.Store(ri.Callee().Service + "." + ri.Method() + " from " + ri.Caller().Service)
			return next(ctx, req, resp)
		}
	}
	_, addr, _ := echotest.StartServer(t, server.WithMiddleware(svrMW))
	cliMW := func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			err := next(ctx, req, resp)
			clientSaw.Store(rpcinfo.FromContext(ctx).Method() + ":" + resp.(*echo.EchoEchoResult).Success.Message)
			return err
		}
	}
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithMiddleware(cliMW), client.WithClientName("gateway"))
	defer cli.Close()
	if _, err := cli.Echo(testContext(t), &echo.Request{Message: "mw"}); err != nil {
		t.Fatal(err)
	}
	if got := serverSaw.Load(); got != "Echo.Echo from gateway" {
		t.Fatalf("server middleware saw %v", got)
	}
	if got := clientSaw.Load(); got != "Echo:mw" {
		t.Fatalf("client middleware saw %v", got)
	}
}

// TestMuxSharesOneConnection runs many slow calls at once over a single multiplexed connection: they
// all complete, and only one connection is ever dialled.
func TestMuxSharesOneConnection(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	var dials atomic.Int32
	dialer := func(ctx context.Context, network, a string, timeout time.Duration) (transport.Conn, error) {
		dials.Add(1)
		return tnetpoll.Dial(ctx, network, a, timeout)
	}
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithMuxConnection(1), client.WithDialer(dialer))
	defer cli.Close()
	const calls = 200
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := cli.Echo(testContext(t), &echo.Request{Message: "m", DelayMs: 200}); err != nil || resp.Message != "m" {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d of %d multiplexed calls failed", failed.Load(), calls)
	}
	if n := dials.Load(); n != 1 {
		t.Fatalf("%d connections dialled, want 1", n)
	}
}

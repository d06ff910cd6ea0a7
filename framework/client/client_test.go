package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestEchoEveryProtocolAndConnKind(t *testing.T) {
	_, addr, h := echotest.StartServer(t)
	protos := []transport.Protocol{transport.TTHeader, transport.TTHeaderFramed, transport.Framed, transport.Buffered}
	kinds := map[string]client.Option{
		"long":  client.WithLongConnection(connpoolDefault()),
		"short": client.WithShortConnection(),
		"mux":   client.WithMuxConnection(2),
	}
	for _, p := range protos {
		for kind, opt := range kinds {
			if kind == "mux" && p&transport.TTHeader == 0 {
				continue
			}
			t.Run(p.String()+"/"+kind, func(t *testing.T) {
				ctx := testContext(t)
				cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTransportProtocol(p), opt)
				defer cli.Close()
				for i := 0; i < 3; i++ {
					resp, err := cli.Echo(ctx, &echo.Request{Message: "hi"})
					if err != nil {
						t.Fatalf("Echo: %v", err)
					}
					if resp.Message != "hi" {
						t.Fatalf("Echo = %q, want hi", resp.Message)
					}
				}
				_, err := cli.Echo(ctx, &echo.Request{Message: "boom", Fail: true})
				var ee *echo.EchoError
				if !errors.As(err, &ee) || ee.Code != 7 || ee.Message != "failed: boom" {
					t.Fatalf("declared exception: got %v", err)
				}
				if err := cli.Notify(ctx, &echo.Request{Message: "note"}); err != nil {
					t.Fatalf("Notify: %v", err)
				}
				if r := h.WaitNotify(5 * time.Second); r == nil || r.Message != "note" {
					t.Fatalf("Notify not delivered: %v", r)
				}
			})
		}
	}
}

func TestMetainfoAcrossTTHeader(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr))
	defer cli.Close()
	ctx := metainfo.WithValue(testContext(t), "tk", "tv")
	ctx = metainfo.WithPersistentValue(ctx, "pk", "pv")
	ctx = metainfo.WithBackwardValues(ctx)
	resp, err := cli.Echo(ctx, &echo.Request{Message: "m", MetaKeys: []string{"tk", "pk"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Meta["t.tk"] != "tv" || resp.Meta["p.pk"] != "pv" {
		t.Fatalf("metainfo not received: %v", resp.Meta)
	}
	if v, _ := metainfo.RecvBackwardValue(ctx, "echoed"); v != "m" {
		t.Fatalf("backward value = %q", v)
	}
}

func TestTimeout(t *testing.T) {
	_, addr, h := echotest.StartServer(t)
	for _, opt := range []client.Option{client.WithShortConnection(), client.WithMuxConnection(1), client.WithLongConnection(connpoolDefault())} {
		cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithRPCTimeout(100*time.Millisecond), opt)
		start := time.Now()
		_, err := cli.Echo(testContext(t), &echo.Request{Message: "slow", DelayMs: 2000})
		if rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
			t.Fatalf("slow call: err = %v, want deadline exceeded", err)
		}
		if el := time.Since(start); el > time.Second {
			t.Fatalf("timeout took %v", el)
		}
		select {
		case dl := <-h.Deadlines:
			if left := time.Until(dl); left > 200*time.Millisecond {
				t.Fatalf("handler deadline %v away, want about 100ms", left)
			}
		case <-time.After(time.Second):
			t.Fatal("handler got no deadline")
		}
		// The client still works after a timeout.
		if _, err := cli.Echo(testContext(t), &echo.Request{Message: "fast"}); err != nil {
			t.Fatalf("call after timeout: %v", err)
		}
		cli.Close()
	}
}

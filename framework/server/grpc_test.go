package server_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/grpc"
)

// One port answers Thrift in every framing, Kitex Protobuf and gRPC, all at once.
func TestOnePortAnswersThriftKitexProtobufAndGRPC(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	ctx := metainfo.WithValue(testContext(t), "K", "!")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for _, p := range allProtocols {
		cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTransportProtocol(p))
		defer cli.Close()
		wg.Go(func() {
			for range 20 {
				if r, err := cli.Echo(ctx, &echo.Request{Message: "t"}); err != nil || r.Message != "t" {
					errs <- rpcerr.Errorf(rpcerr.CodeInternal, "Thrift over %v: %v, %v", p, r, err)
					return
				}
			}
		})
	}
	for _, p := range []transport.Protocol{transport.TTHeader, transport.Framed, transport.GRPC} {
		cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(p))
		defer cli.Close()
		want := "p!" // with the metainfo value; Framed has no headers to carry it
		if p == transport.Framed {
			want = "p"
		}
		wg.Go(func() {
			for range 20 {
				if r, err := cli.Say(ctx, &pbecho.Msg{Value: "p"}); err != nil || r.GetValue() != want {
					errs <- rpcerr.Errorf(rpcerr.CodeInternal, "protobuf over %v: %v, %v", p, r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestGRPCUnknownServiceAndMethod(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	ctx := testContext(t)
	cc, err := grpc.Dial(ctx, "tcp", addr, grpc.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	for _, path := range []string{"/pbecho.PbEcho/Nope", "/pbecho.Nope/Say", "/echo.Echo/Echo", "nonsense"} {
		_, _, _, err := cc.Invoke(ctx, path, nil, nil)
		if rpcerr.CodeOf(err) != rpcerr.CodeUnimplemented {
			t.Errorf("%s: %v, want Unimplemented", path, err)
		}
	}
	// The connection still serves good calls afterwards.
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(transport.GRPC))
	defer cli.Close()
	if _, err := cli.Say(ctx, &pbecho.Msg{Value: "ok"}); err != nil {
		t.Fatal(err)
	}
}

func TestGRPCErrorsAndDeadlines(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	ctx := testContext(t)
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(transport.GRPC))
	defer cli.Close()
	tests := []struct {
		value string
		want  rpcerr.Code
	}{
		{"fail", rpcerr.CodeNotFound},
		{"panic", rpcerr.CodeInternal},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			_, err := cli.Say(ctx, &pbecho.Msg{Value: tc.value})
			if rpcerr.CodeOf(err) != tc.want {
				t.Fatalf("%v, want %v", err, tc.want)
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		slow := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr),
			client.WithTransportProtocol(transport.GRPC), client.WithRPCTimeout(50*time.Millisecond))
		defer slow.Close()
		start := time.Now()
		_, err := slow.Say(ctx, &pbecho.Msg{Value: "sleep"})
		if rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
			t.Fatalf("%v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 150*time.Millisecond {
			t.Fatalf("timed out after %v", d)
		}
	})
}

// Stop lets gRPC calls in flight finish: HTTP/2 clients get a GOAWAY instead of a cut connection.
func TestGracefulStopCompletesGRPCCalls(t *testing.T) {
	svr, addr := echotest.StartPbServer(t)
	ctx := testContext(t)
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(transport.GRPC))
	defer cli.Close()
	if _, err := cli.Say(ctx, &pbecho.Msg{Value: "warm"}); err != nil {
		t.Fatal(err)
	}
	const n = 50
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := cli.Say(ctx, &pbecho.Msg{Value: "sleep"})
			if err == nil && resp.GetValue() != "sleep" {
				err = rpcerr.Errorf(rpcerr.CodeInternal, "reply %q", resp.GetValue())
			}
			errs <- err
		})
	}
	time.Sleep(50 * time.Millisecond) // the calls are in the handler
	if err := svr.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("call in flight during Stop: %v", err)
		}
	}
	stopped, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := cli.Say(stopped, &pbecho.Msg{Value: "late"}); err == nil {
		t.Fatal("a call after Stop succeeded")
	}
}

// A streaming method called over TTHeader (not gRPC) gets a clear error; the server keeps serving.
func TestStreamingMethodOverTTHeaderIsRefused(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	ctx := testContext(t)
	info := *pbechoservice.NewServiceInfo()
	chat := *info.Methods["Chat"]
	chat.StreamingMode, chat.NewArgs, chat.NewResult = 0, func() any { return new(pbechoservice.SayArgs) }, func() any { return new(pbechoservice.SayResult) }
	info.Methods = map[string]*serviceinfo.MethodInfo{"Chat": &chat} // a client that thinks Chat is unary
	cli := client.MustNewClient(&info, client.WithHostPorts(addr))
	defer cli.Close()
	err := cli.Call(ctx, "Chat", &pbechoservice.SayArgs{Req: &pbecho.Msg{}}, new(pbechoservice.SayResult))
	if rpcerr.CodeOf(err) != rpcerr.CodeUnimplemented {
		t.Fatalf("Chat over TTHeader = %v, want Unimplemented", err)
	}
	good := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr))
	defer good.Close()
	if _, err := good.Say(ctx, &pbecho.Msg{Value: "ok"}); err != nil {
		t.Fatal(err)
	}
}

// A gRPC handler's rpcinfo names the caller's address and the method, as for every other protocol.
func TestGRPCRPCInfo(t *testing.T) {
	seen := make(chan *rpcinfo.Info, 2)
	mw := func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			seen <- rpcinfo.FromContext(ctx)
			return next(ctx, req, resp)
		}
	}
	_, addr := echotest.StartPbServer(t, server.WithMiddleware(mw))
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(transport.GRPC))
	defer cli.Close()
	if _, err := cli.Say(testContext(t), &pbecho.Msg{Value: "x"}); err != nil {
		t.Fatal(err)
	}
	ri := <-seen
	if a := ri.Caller().Addr; a == nil || !strings.HasPrefix(a.String(), "127.0.0.1:") {
		t.Errorf("caller address %v, want a loopback address", a)
	}
	if ri.Method() != "Say" || ri.Callee().Service != "PbEcho" || ri.Protocol() != transport.GRPC {
		t.Errorf("rpcinfo %s.%s over %v", ri.Callee().Service, ri.Method(), ri.Protocol())
	}
}

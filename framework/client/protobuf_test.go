package client_test

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/transport"
)

// pbBody is a protobuf method's argument or result value, in the shape tern generates.
type pbBody struct{ msg *wrapperspb.StringValue }

func (b *pbBody) Message() proto.Message { return b.msg }
func (b *pbBody) MessageToDecode() proto.Message {
	if b.msg == nil {
		b.msg = new(wrapperspb.StringValue)
	}
	return b.msg
}

type pbHandler func(ctx context.Context, req *wrapperspb.StringValue) (*wrapperspb.StringValue, error)

// pbEcho describes a protobuf service whose methods answer by the request's value: "fail" fails,
// "panic" panics, anything else is echoed with the transient metainfo value "k" appended.
func pbEcho() *serviceinfo.ServiceInfo {
	m := func(name string) *serviceinfo.MethodInfo {
		return &serviceinfo.MethodInfo{
			Name: name,
			Handler: func(ctx context.Context, h, args, result any) error {
				resp, err := h.(pbHandler)(ctx, args.(*pbBody).msg)
				result.(*pbBody).msg = resp
				return err
			},
			NewArgs:   func() any { return new(pbBody) },
			NewResult: func() any { return new(pbBody) },
		}
	}
	return &serviceinfo.ServiceInfo{
		ServiceName: "PbEcho", PackageName: "test", PayloadCodec: serviceinfo.Protobuf,
		Methods: map[string]*serviceinfo.MethodInfo{"Echo": m("Echo")},
	}
}

func pbEchoHandler(ctx context.Context, req *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	switch req.GetValue() {
	case "fail":
		return nil, rpcerr.New(rpcerr.CodeNotFound, "no such thing")
	case "panic":
		panic("asked to")
	}
	v, _ := metainfo.GetValue(ctx, "k")
	return wrapperspb.String(req.GetValue() + v), nil
}

func startPbServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := server.NewServer(server.WithListener(ln), server.WithLogger(echotest.QuietLogger()),
		server.WithExitWaitTime(time.Second))
	if err := svr.RegisterService(pbEcho(), pbHandler(pbEchoHandler)); err != nil {
		t.Fatal(err)
	}
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	return svr.Addr().String()
}

func TestKitexProtobufCalls(t *testing.T) {
	addr := startPbServer(t)
	variants := map[string][]client.Option{
		"TTHeader":       {client.WithTransportProtocol(transport.TTHeader)},
		"TTHeaderFramed": {client.WithTransportProtocol(transport.TTHeaderFramed)},
		"Framed":         {client.WithTransportProtocol(transport.Framed)},
		"mux":            {client.WithMuxConnection(1)},
	}
	for name, opts := range variants {
		t.Run(name, func(t *testing.T) {
			ctx := metainfo.WithValue(testContext(t), "k", "!")
			cli, err := client.NewClient(pbEcho(), append(opts, client.WithHostPorts(addr))...)
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			var resp pbBody
			if err := cli.Call(ctx, "Echo", &pbBody{msg: wrapperspb.String("hi")}, &resp); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			want := "hi"
			if name != "Framed" { // Framed has no headers to carry metainfo
				want = "hi!"
			}
			if resp.msg.GetValue() != want {
				t.Fatalf("Echo = %q, want %q", resp.msg.GetValue(), want)
			}
			for _, tc := range []struct {
				value string
				code  rpcerr.Code
			}{{"fail", rpcerr.CodeNotFound}, {"panic", rpcerr.CodeInternal}} {
				err := cli.Call(ctx, "Echo", &pbBody{msg: wrapperspb.String(tc.value)}, new(pbBody))
				if name == "Framed" && tc.code == rpcerr.CodeNotFound {
					tc.code = rpcerr.CodeInternal // without TTHeader only the exception type travels
				}
				if got := rpcerr.CodeOf(err); got != tc.code {
					t.Errorf("%s: code %v (%v), want %v", tc.value, got, err, tc.code)
				}
			}
			var empty pbBody // a nil request message travels as an empty one
			if err := cli.Call(ctx, "Echo", &pbBody{}, &empty); err != nil || empty.msg.GetValue() != want[2:] {
				t.Fatalf("empty request: %q, %v", empty.msg.GetValue(), err)
			}
		})
	}
}

func TestKitexProtobufRefusesBuffered(t *testing.T) {
	_, err := client.NewClient(pbEcho(), client.WithTransportProtocol(transport.Buffered))
	if err == nil {
		t.Fatal("a protobuf client over Buffered was accepted")
	}
}

// A Thrift request to a protobuf service, and the reverse, get a protocol error, not a crash, and the
// server goes on serving well-behaved clients.
func TestPayloadCodecMismatch(t *testing.T) {
	pbAddr := startPbServer(t)
	_, thriftAddr, _ := echotest.StartServer(t)
	ctx := testContext(t)
	framed := client.WithTransportProtocol(transport.Framed) // no service name: routed by method name

	thriftCli := echoservice.MustNewClient("echo", client.WithHostPorts(pbAddr), framed)
	defer thriftCli.Close()
	_, err := thriftCli.Echo(ctx, &echo.Request{Message: "x"})
	if rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
		t.Errorf("Thrift request to a protobuf service: %v, want InvalidArgument", err)
	}
	pbCli := client.MustNewClient(pbEcho(), client.WithHostPorts(thriftAddr), framed)
	defer pbCli.Close()
	err = pbCli.Call(ctx, "Echo", &pbBody{msg: wrapperspb.String("x")}, new(pbBody))
	if rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
		t.Errorf("protobuf request to a Thrift service: %v, want InvalidArgument", err)
	}

	good := client.MustNewClient(pbEcho(), client.WithHostPorts(pbAddr))
	defer good.Close()
	if err := good.Call(ctx, "Echo", &pbBody{msg: wrapperspb.String("ok")}, new(pbBody)); err != nil {
		t.Fatalf("a well-behaved client after the mismatch: %v", err)
	}
}

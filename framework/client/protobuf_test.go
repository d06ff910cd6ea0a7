package client_test

import (
	"testing"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/client/callopt"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/transport"
)

func TestProtobufCallsEveryTransport(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	variants := map[string][]client.Option{
		"TTHeader":       {client.WithTransportProtocol(transport.TTHeader)},
		"TTHeaderFramed": {client.WithTransportProtocol(transport.TTHeaderFramed)},
		"Framed":         {client.WithTransportProtocol(transport.Framed)},
		"mux":            {client.WithMuxConnection(1)},
		"GRPC":           {client.WithTransportProtocol(transport.GRPC)},
	}
	for name, opts := range variants {
		t.Run(name, func(t *testing.T) {
			// Upper case: HTTP/2 header names are lower case, and metainfo keys arrive upper-cased, as in Kitex.
			ctx := metainfo.WithValue(testContext(t), "K", "!")
			cli, err := pbechoservice.NewClient("pbecho", append(opts, client.WithHostPorts(addr))...)
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			suffix := "!"
			if name == "Framed" { // Framed has no headers to carry metainfo
				suffix = ""
			}
			resp, err := cli.Say(ctx, &pbecho.Msg{Value: "hi"})
			if err != nil || resp.GetValue() != "hi"+suffix {
				t.Fatalf("Say = %v, %v; want %q", resp, err, "hi"+suffix)
			}
			for _, tc := range []struct {
				value string
				code  rpcerr.Code
			}{{"fail", rpcerr.CodeNotFound}, {"panic", rpcerr.CodeInternal}} {
				_, err := cli.Say(ctx, &pbecho.Msg{Value: tc.value})
				if name == "Framed" && tc.code == rpcerr.CodeNotFound {
					tc.code = rpcerr.CodeInternal // without TTHeader only the exception type travels
				}
				if got := rpcerr.CodeOf(err); got != tc.code {
					t.Errorf("%s: code %v (%v), want %v", tc.value, got, err, tc.code)
				}
			}
			_, err = cli.Say(ctx, &pbecho.Msg{Value: "biz"})
			be, ok := rpcerr.BizStatusOf(err)
			if name == "Framed" { // Framed has no headers to carry business statuses
				if ok || err == nil {
					t.Errorf("business status without TTHeader: %v, %v", be, err)
				}
			} else if !ok {
				t.Errorf("business status: %v, want a business status error", err)
			} else if status, _ := be.BizStatus(); status != 404 || be.Message() != "no such item" || be.BizExtra()["k"] != "v" {
				t.Errorf("business status: %v (%v)", err, be.BizExtra())
			}
			// A nil request travels as an empty message.
			if resp, err := cli.Say(ctx, nil); err != nil || resp.GetValue() != suffix {
				t.Fatalf("nil request: %v, %v", resp, err)
			}
		})
	}
}

func TestProtobufRefusesBufferedAndThriftRefusesGRPC(t *testing.T) {
	if _, err := pbechoservice.NewClient("pbecho", client.WithTransportProtocol(transport.Buffered)); err == nil {
		t.Error("a protobuf client over Buffered was accepted")
	}
	if _, err := echoservice.NewClient("echo", client.WithTransportProtocol(transport.GRPC)); err == nil {
		t.Error("a Thrift client over gRPC was accepted")
	}
}

// renamed returns a copy of svc whose only method is from's, called to on the wire.
func renamed(svc *serviceinfo.ServiceInfo, from *serviceinfo.MethodInfo, to string) *serviceinfo.ServiceInfo {
	out := *svc
	m := *from
	m.Name = to
	out.Methods = map[string]*serviceinfo.MethodInfo{to: &m}
	return &out
}

// A Thrift request to a protobuf service, and the reverse, get a protocol error, not a crash, and the
// server goes on serving well-behaved clients.
func TestPayloadCodecMismatch(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	ctx := testContext(t)
	framed := client.WithTransportProtocol(transport.Framed) // no service name: routed by method name
	thriftEcho := echoservice.NewServiceInfo().Methods["Echo"]
	pbSay := pbechoservice.NewServiceInfo().Methods["Say"]

	thriftCli := client.MustNewClient(renamed(echoservice.NewServiceInfo(), thriftEcho, "Say"), client.WithHostPorts(addr), framed)
	defer thriftCli.Close()
	err := thriftCli.Call(ctx, "Say", &echo.EchoEchoArgs{Req: &echo.Request{}}, new(echo.EchoEchoResult))
	if rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
		t.Errorf("Thrift request to a protobuf service: %v, want InvalidArgument", err)
	}
	pbCli := client.MustNewClient(renamed(pbechoservice.NewServiceInfo(), pbSay, "Echo"), client.WithHostPorts(addr), framed)
	defer pbCli.Close()
	err = pbCli.Call(ctx, "Echo", &pbechoservice.SayArgs{Req: &pbecho.Msg{}}, new(pbechoservice.SayResult))
	if rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
		t.Errorf("protobuf request to a Thrift service: %v, want InvalidArgument", err)
	}

	good := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr))
	defer good.Close()
	if _, err := good.Say(ctx, &pbecho.Msg{Value: "ok"}); err != nil {
		t.Fatalf("a well-behaved client after the mismatch: %v", err)
	}
}

// gRPC calls carry custom request headers from the context and hand back the response's headers and
// trailers through call options, as grpc-go's do; calls over TTHeader leave those options untouched.
func TestGRPCMetadata(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	ctx := metadata.AppendToOutgoingContext(testContext(t), "X-In", "v1")
	for _, p := range []transport.Protocol{transport.GRPC, transport.TTHeader} {
		cli, err := pbechoservice.NewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(p))
		if err != nil {
			t.Fatal(err)
		}
		defer cli.Close()
		var header, trailer metadata.MD
		resp, err := cli.Say(ctx, &pbecho.Msg{Value: "md"}, callopt.WithGRPCHeader(&header), callopt.WithGRPCTrailer(&trailer))
		if p != transport.GRPC {
			if err != nil || resp.GetValue() != "" || header != nil || trailer != nil {
				t.Errorf("%v: %v, %v, header %v, trailer %v; want an empty reply and no metadata", p, resp, err, header, trailer)
			}
			continue
		}
		if err != nil || resp.GetValue() != "v1" || header.Get("h-out") != "v1" || trailer.Get("t-out") != "v1" {
			t.Fatalf("%v: %v, %v, header %v, trailer %v; want v1 in each", p, resp, err, header, trailer)
		}
		// The context's metadata is the caller's: a call must not add its metainfo to it.
		if _, err := cli.Say(metainfo.WithValue(ctx, "K", "!"), &pbecho.Msg{Value: "hi"}); err != nil {
			t.Fatal(err)
		}
		if md, _ := metadata.FromOutgoingContext(ctx); len(md) != 1 {
			t.Errorf("outgoing metadata changed by a call: %v", md)
		}
	}
}

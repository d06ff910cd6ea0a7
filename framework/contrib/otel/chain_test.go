package otel_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"
)

// hop is one link of a chain: the service the next server hosts and how the previous one calls it.
type hop struct {
	name     string
	protobuf bool // the PbEcho service (Kitex Protobuf or gRPC), else Thrift Echo
	opts     []client.Option
	system   string // the rpc.system its spans carry
}

func (h hop) service() string {
	if h.protobuf {
		return "pbecho.PbEcho"
	}
	return "echo.Echo"
}

func (h hop) method() string {
	if h.protobuf {
		return "Say"
	}
	return "Echo"
}

// caller makes one call to a hop's server with the caller's context.
type caller func(ctx context.Context) error

// thriftRelay serves Echo by calling the next hop first (when there is one).
type thriftRelay struct {
	*echotest.Handler
	next caller
}

func (r *thriftRelay) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	if r.next != nil {
		if err := r.next(ctx); err != nil {
			return nil, err
		}
	}
	return r.Handler.Echo(ctx, req)
}

// pbRelay serves Say by calling the next hop first (when there is one).
type pbRelay struct {
	echotest.PbHandler
	next caller
}

func (r pbRelay) Say(ctx context.Context, req *pbecho.Msg) (*pbecho.Msg, error) {
	if r.next != nil {
		if err := r.next(ctx); err != nil {
			return nil, err
		}
	}
	return r.PbHandler.Say(ctx, req)
}

// startChain starts a server per hop, each calling the next over that hop's options, the last one
// answering itself, and returns a caller of the first. Every server and client gets the given options.
func startChain(t *testing.T, hops []hop, clientOpts []client.Option, serverOpts []server.Option) caller {
	t.Helper()
	var next caller
	for i := len(hops) - 1; i >= 0; i-- {
		h := hops[i]
		opts := append(append([]client.Option(nil), clientOpts...), h.opts...)
		if h.protobuf {
			next = pbCaller(t, startPb(t, pbRelay{next: next}, serverOpts), opts)
			continue
		}
		_, addr := echotest.StartHandler(t, &thriftRelay{Handler: echotest.NewHandler(), next: next}, serverOpts...)
		next = thriftCaller(t, addr, opts)
	}
	return next
}

func thriftCaller(t *testing.T, addr string, opts []client.Option) caller {
	cli := echoservice.MustNewClient("echo", append([]client.Option{client.WithHostPorts(addr)}, opts...)...)
	t.Cleanup(func() { _ = cli.Close() })
	return func(ctx context.Context) error {
		_, err := cli.Echo(ctx, &echo.Request{Message: "m"})
		return err
	}
}

func pbCaller(t *testing.T, addr string, opts []client.Option) caller {
	cli := pbechoservice.MustNewClient("pbecho", append([]client.Option{client.WithHostPorts(addr)}, opts...)...)
	t.Cleanup(func() { _ = cli.Close() })
	return func(ctx context.Context) error {
		_, err := cli.Say(ctx, &pbecho.Msg{Value: "m"})
		return err
	}
}

// startPb starts a server hosting PbEcho answered by h.
func startPb(t *testing.T, h pbecho.PbEcho, opts []server.Option) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := server.NewServer(append([]server.Option{server.WithListener(ln), server.WithLogger(echotest.QuietLogger()),
		server.WithExitWaitTime(2 * time.Second)}, opts...)...)
	if err := pbechoservice.RegisterService(svr, h); err != nil {
		t.Fatal(err)
	}
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	return svr.Addr().String()
}

// chainHops are the links of the traced chain: Thrift over TTHeader, multiplexed TTHeader, Kitex
// Protobuf, gRPC, and back to Thrift.
var chainHops = []hop{
	{"thrift-ttheader", false, []client.Option{client.WithTransportProtocol(transport.TTHeader)}, "kitex"},
	{"thrift-mux", false, []client.Option{client.WithMuxConnection(1)}, "kitex"},
	{"kitex-protobuf", true, nil, "kitex"},
	{"grpc", true, []client.Option{client.WithTransportProtocol(transport.GRPC)}, "grpc"},
	{"thrift-after-grpc", false, nil, "kitex"},
}

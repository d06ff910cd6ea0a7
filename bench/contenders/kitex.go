package contenders

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/pkg/connpool"
	"github.com/cloudwego/kitex/pkg/klog"
	"github.com/cloudwego/kitex/pkg/serviceinfo"
	"github.com/cloudwego/kitex/server"
	"github.com/cloudwego/kitex/transport"
)

func init() {
	register(&Contender{Name: "kitex-thrift", Group: GroupUnary,
		Desc:  "Kitex v0.16.3, Thrift over TTHeader, pooled connections",
		Serve: serveKitexThrift(false), Dial: dialKitexThrift(false)})
	register(&Contender{Name: "kitex-thrift-mux", Group: GroupUnary,
		Desc:  "Kitex v0.16.3, Thrift over TTHeader, multiplexed connections",
		Serve: serveKitexThrift(true), Dial: dialKitexThrift(true)})
}

// kitexEcho is the handler interface of the hand-written Kitex Thrift service.
type kitexEcho interface {
	Echo(ctx context.Context, req *kRequest) (*kResponse, error)
}

// kitexThriftInfo describes echo.Echo to Kitex, as kitex-generated code does.
var kitexThriftInfo = &serviceinfo.ServiceInfo{
	ServiceName: "Echo",
	HandlerType: (*kitexEcho)(nil),
	Methods: map[string]serviceinfo.MethodInfo{
		"Echo": serviceinfo.NewMethodInfo(kitexEchoHandler,
			func() any { return new(kArgs) }, func() any { return new(kResult) }, false),
	},
	PayloadCodec:    serviceinfo.Thrift,
	KiteXGenVersion: "v0.16.3",
	Extra:           map[string]any{"PackageName": "echo"},
}

func kitexEchoHandler(ctx context.Context, handler, args, result any) error {
	resp, err := handler.(kitexEcho).Echo(ctx, args.(*kArgs).Req)
	if err != nil {
		return err
	}
	result.(*kResult).Success = resp
	return nil
}

type kitexThriftEcho struct{}

// Echo answers the request's message.
func (*kitexThriftEcho) Echo(_ context.Context, req *kRequest) (*kResponse, error) {
	return &kResponse{Message: req.Message}, nil
}

func init() {
	klog.SetOutput(io.Discard)
	klog.SetLevel(klog.LevelFatal)
}

// startKitex runs a Kitex server for svc on ln and returns once it serves: Kitex's Stop does nothing
// before Run has set the server up, so stopping earlier would leave Run serving for ever.
func startKitex(ln net.Listener, svc *serviceinfo.ServiceInfo, handler any, opts ...server.Option) (func() error, error) {
	opts = append([]server.Option{server.WithListener(ln), server.WithExitWaitTime(100 * time.Millisecond)}, opts...)
	svr := server.NewServer(opts...)
	if err := svr.RegisterService(svc, handler); err != nil {
		return nil, err
	}
	started := make(chan struct{})
	server.RegisterStartHook(func() { close(started) }) // a server process runs one server
	done := make(chan error, 1)
	go func() { done <- svr.Run() }()
	select {
	case <-started:
	case err := <-done:
		return nil, fmt.Errorf("kitex server: %w", err)
	}
	return func() error {
		err := svr.Stop()
		return errors.Join(err, <-done)
	}, nil
}

func serveKitexThrift(mux bool) func(net.Listener) (func() error, error) {
	return func(ln net.Listener) (func() error, error) {
		var opts []server.Option
		if mux {
			opts = append(opts, server.WithMuxTransport())
		}
		return startKitex(ln, kitexThriftInfo, &kitexThriftEcho{}, opts...)
	}
}

// kitexPool keeps an idle connection for every worker, as kitex-benchmark does.
func kitexPool(cfg Config) client.Option {
	return client.WithLongConnection(connpool.IdleConfig{
		MaxIdlePerAddress: cfg.Concurrency,
		MaxIdleGlobal:     cfg.Concurrency,
		MaxIdleTimeout:    time.Minute,
	})
}

func dialKitexThrift(mux bool) func(string, Config) (Client, error) {
	return func(addr string, cfg Config) (Client, error) {
		opts := []client.Option{
			client.WithHostPorts(addr),
			client.WithDestService("Echo"),
			client.WithConnectTimeout(connectTimeout),
			// Clears Kitex's Framed default, so that both stacks speak bare TTHeader.
			client.WithTransportProtocol(transport.PurePayload),
			client.WithTransportProtocol(transport.TTHeader),
		}
		if mux {
			opts = append(opts, client.WithMuxConnection(cfg.MuxConns))
		} else {
			opts = append(opts, kitexPool(cfg))
		}
		cli, err := client.NewClient(kitexThriftInfo, opts...)
		if err != nil {
			return nil, err
		}
		msg := message(cfg.Payload)
		return &unaryClient{close: closer(cli), newCall: func() func(context.Context) error {
			req := &kRequest{Message: msg}
			return func(ctx context.Context) error {
				var result kResult
				if err := cli.Call(ctx, "Echo", &kArgs{Req: req}, &result); err != nil {
					return err
				}
				return checkEcho(len(result.Success.Message), len(msg))
			}
		}}, nil
	}
}

// closer returns the Close of a Kitex client (which its interface does not show).
func closer(cli any) func() error {
	if c, ok := cli.(interface{ Close() error }); ok {
		return c.Close
	}
	return func() error { return nil }
}

package contenders

import (
	"context"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"

	"github.com/ternhq/tern/bench/gen/echo"
	"github.com/ternhq/tern/bench/gen/echo/echoservice"
	"github.com/ternhq/tern/bench/gen/pb/benchpb"
	pbservice "github.com/ternhq/tern/bench/gen/pb/benchpb/echoservice"
)

func init() {
	register(&Contender{Name: "tern-thrift", Group: GroupUnary,
		Desc:  "Tern, Thrift over TTHeader, pooled connections",
		Serve: serveTernThrift, Dial: dialTernThrift(false)})
	register(&Contender{Name: "tern-thrift-mux", Group: GroupUnary,
		Desc:  "Tern, Thrift over TTHeader, multiplexed connections",
		Serve: serveTernThrift, Dial: dialTernThrift(true)})
	register(&Contender{Name: "tern-kpb", Group: GroupUnary,
		Desc:  "Tern, Kitex Protobuf over TTHeader, pooled connections",
		Serve: serveTernPB, Dial: dialTernPB(transport.TTHeader)})
	register(&Contender{Name: "tern-grpc", Group: GroupUnary,
		Desc:  "Tern, gRPC unary",
		Serve: serveTernPB, Dial: dialTernPB(transport.GRPC)})
}

// quiet is the logger of every Tern server and client: the benchmark prints its own progress.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// ternPool keeps an idle connection for every worker, as the Kitex contenders do.
func ternPool(cfg Config) client.Option {
	return client.WithLongConnection(connpool.LongPoolConfig{
		MaxIdlePerAddress: cfg.Concurrency,
		MaxIdleGlobal:     cfg.Concurrency,
		MaxIdleTimeout:    time.Minute,
	})
}

func startTern(ln net.Listener, register func(*server.Server) error) (func() error, error) {
	svr := server.NewServer(server.WithListener(ln), server.WithLogger(quiet),
		server.WithExitWaitTime(100*time.Millisecond))
	if err := register(svr); err != nil {
		return nil, err
	}
	if err := svr.Start(); err != nil {
		return nil, err
	}
	return svr.Stop, nil
}

// ternThriftEcho answers the Thrift Echo.
type ternThriftEcho struct{}

// Echo answers the request's message.
func (ternThriftEcho) Echo(_ context.Context, req *echo.Request) (*echo.Response, error) {
	return &echo.Response{Message: req.Message}, nil
}

func serveTernThrift(ln net.Listener) (func() error, error) {
	return startTern(ln, func(s *server.Server) error { return echoservice.RegisterService(s, ternThriftEcho{}) })
}

func dialTernThrift(mux bool) func(string, Config) (Client, error) {
	return func(addr string, cfg Config) (Client, error) {
		conns := ternPool(cfg)
		if mux {
			conns = client.WithMuxConnection(cfg.MuxConns)
		}
		cli, err := echoservice.NewClient("Echo", client.WithHostPorts(addr), client.WithLogger(quiet),
			client.WithConnectTimeout(connectTimeout), conns)
		if err != nil {
			return nil, err
		}
		msg := message(cfg.Payload)
		return &unaryClient{close: cli.Close, newCall: func() func(context.Context) error {
			req := &echo.Request{Message: msg}
			return func(ctx context.Context) error {
				resp, err := cli.Echo(ctx, req)
				if err != nil {
					return err
				}
				return checkEcho(len(resp.Message), len(msg))
			}
		}}, nil
	}
}

// ternPBEcho answers the protobuf Echo and Chat.
type ternPBEcho struct{}

// Echo answers the request's value.
func (ternPBEcho) Echo(_ context.Context, req *benchpb.Msg) (*benchpb.Msg, error) {
	return &benchpb.Msg{Value: req.Value}, nil
}

// Chat echoes every message until the client half-closes.
func (ternPBEcho) Chat(st benchpb.Echo_ChatServer) error {
	for {
		m, err := st.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := st.Send(m); err != nil {
			return err
		}
	}
}

func serveTernPB(ln net.Listener) (func() error, error) {
	return startTern(ln, func(s *server.Server) error { return pbservice.RegisterService(s, ternPBEcho{}) })
}

func newTernPBClient(addr string, cfg Config, proto transport.Protocol) (pbservice.Client, error) {
	opts := []client.Option{client.WithHostPorts(addr), client.WithLogger(quiet), client.WithConnectTimeout(connectTimeout)}
	if proto == transport.GRPC {
		opts = append(opts, client.WithTransportProtocol(transport.GRPC))
	} else {
		opts = append(opts, ternPool(cfg))
	}
	return pbservice.NewClient("Echo", opts...)
}

func dialTernPB(proto transport.Protocol) func(string, Config) (Client, error) {
	return func(addr string, cfg Config) (Client, error) {
		cli, err := newTernPBClient(addr, cfg, proto)
		if err != nil {
			return nil, err
		}
		msg := message(cfg.Payload)
		return &unaryClient{close: cli.Close, newCall: func() func(context.Context) error {
			req := &benchpb.Msg{Value: msg}
			return func(ctx context.Context) error {
				resp, err := cli.Echo(ctx, req)
				if err != nil {
					return err
				}
				return checkEcho(len(resp.Value), len(msg))
			}
		}}, nil
	}
}

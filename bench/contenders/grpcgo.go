package contenders

import (
	"context"
	"io"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ternhq/tern/bench/gen/pb/benchpb"
)

func init() {
	register(&Contender{Name: "grpc-go", Group: GroupUnary,
		Desc:  "grpc-go v1.85.0, unary, one connection",
		Serve: serveGrpcGo, Dial: dialGrpcGo})
}

// grpcEchoServer is the handler of the hand-written grpc-go service benchpb.Echo.
type grpcEchoServer interface {
	Echo(context.Context, *benchpb.Msg) (*benchpb.Msg, error)
	Chat(grpc.BidiStreamingServer[benchpb.Msg, benchpb.Msg]) error
}

// grpcEchoDesc describes benchpb.Echo to grpc-go, as protoc-gen-go-grpc would.
var grpcEchoDesc = grpc.ServiceDesc{
	ServiceName: "benchpb.Echo",
	HandlerType: (*grpcEchoServer)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Echo",
		Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(benchpb.Msg)
			if err := dec(in); err != nil {
				return nil, err
			}
			return srv.(grpcEchoServer).Echo(ctx, in)
		},
	}},
	Streams: []grpc.StreamDesc{{
		StreamName: "Chat",
		Handler: func(srv any, st grpc.ServerStream) error {
			return srv.(grpcEchoServer).Chat(&grpc.GenericServerStream[benchpb.Msg, benchpb.Msg]{ServerStream: st})
		},
		ServerStreams: true,
		ClientStreams: true,
	}},
}

type grpcGoEcho struct{}

// Echo answers the request's value.
func (grpcGoEcho) Echo(_ context.Context, req *benchpb.Msg) (*benchpb.Msg, error) {
	return &benchpb.Msg{Value: req.Value}, nil
}

// Chat echoes every message until the client half-closes.
func (grpcGoEcho) Chat(st grpc.BidiStreamingServer[benchpb.Msg, benchpb.Msg]) error {
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

func serveGrpcGo(ln net.Listener) (func() error, error) {
	svr := grpc.NewServer()
	svr.RegisterService(&grpcEchoDesc, grpcGoEcho{})
	go func() { _ = svr.Serve(ln) }()
	return func() error { svr.Stop(); return nil }, nil
}

func dialGrpcGoConn(addr string) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
}

func dialGrpcGo(addr string, cfg Config) (Client, error) {
	cc, err := dialGrpcGoConn(addr)
	if err != nil {
		return nil, err
	}
	msg := message(cfg.Payload)
	return &unaryClient{close: cc.Close, newCall: func() func(context.Context) error {
		req := &benchpb.Msg{Value: msg}
		return func(ctx context.Context) error {
			resp := new(benchpb.Msg)
			if err := cc.Invoke(ctx, "/benchpb.Echo/Echo", req, resp); err != nil {
				return err
			}
			return checkEcho(len(resp.Value), len(msg))
		}
	}}, nil
}

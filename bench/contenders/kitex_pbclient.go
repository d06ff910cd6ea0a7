package contenders

import (
	"context"
	"errors"
	"net"

	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/pkg/streaming"
	"github.com/cloudwego/kitex/transport"

	"github.com/ternhq/tern/bench/gen/pb/benchpb"
)

func serveKitexPB(ln net.Listener) (func() error, error) {
	return startKitex(ln, kitexPBInfo, &kitexPBEchoImpl{})
}

func newKitexPBClient(addr string, cfg Config, proto transport.Protocol) (client.Client, error) {
	opts := []client.Option{client.WithHostPorts(addr), client.WithDestService("Echo"),
		client.WithConnectTimeout(connectTimeout), client.WithTransportProtocol(proto)}
	if proto != transport.GRPC {
		opts = append(opts, kitexPool(cfg))
	}
	return client.NewClient(kitexPBInfo, opts...)
}

func dialKitexPB(proto transport.Protocol) func(string, Config) (Client, error) {
	return func(addr string, cfg Config) (Client, error) {
		cli, err := newKitexPBClient(addr, cfg, proto)
		if err != nil {
			return nil, err
		}
		msg := message(cfg.Payload)
		return &unaryClient{close: closer(cli), newCall: func() func(context.Context) error {
			req := &benchpb.Msg{Value: msg}
			return func(ctx context.Context) error {
				var result kpbResult
				if err := cli.Call(ctx, "Echo", &kpbArgs{Req: req}, &result); err != nil {
					return err
				}
				return checkEcho(len(result.Success.GetValue()), len(msg))
			}
		}}, nil
	}
}

// kitexMsgStream adapts Kitex's streaming.Stream to msgStream.
type kitexMsgStream struct{ st streaming.Stream }

// Send sends one message.
func (s kitexMsgStream) Send(m *benchpb.Msg) error { return s.st.SendMsg(m) }

// Recv receives one message.
func (s kitexMsgStream) Recv() (*benchpb.Msg, error) {
	m := new(benchpb.Msg)
	if err := s.st.RecvMsg(m); err != nil {
		return nil, err
	}
	return m, nil
}

// CloseSend half-closes the stream (Kitex's gRPC stream Close).
func (s kitexMsgStream) CloseSend() error { return s.st.Close() }

func dialKitexBidi(addr string, cfg Config) (Client, error) {
	cli, err := newKitexPBClient(addr, cfg, transport.GRPC)
	if err != nil {
		return nil, err
	}
	sc, ok := cli.(client.Streaming)
	if !ok {
		return nil, errors.New("contenders: the Kitex client does not stream")
	}
	open := func(ctx context.Context) (msgStream, error) {
		res := new(streaming.Result)
		if err := sc.Stream(ctx, "Chat", nil, res); err != nil {
			return nil, err
		}
		return kitexMsgStream{res.Stream}, nil
	}
	return &streamClient{open: open, close: closer(cli), msg: message(cfg.Payload)}, nil
}

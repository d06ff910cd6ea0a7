package contenders

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"

	"github.com/ternhq/tern/framework/transport"

	"github.com/ternhq/tern/bench/gen/pb/benchpb"
)

func init() {
	register(&Contender{Name: "tern-grpc-bidi", Group: GroupBidi,
		Desc:  "Tern, gRPC bidirectional stream per worker, one message each way per call",
		Serve: serveTernPB, Dial: dialTernBidi})
	register(&Contender{Name: "grpc-go-bidi", Group: GroupBidi,
		Desc:  "grpc-go v1.85.0, bidirectional stream per worker, one message each way per call",
		Serve: serveGrpcGo, Dial: dialGrpcGoBidi})
}

// msgStream is the client's end of a Chat stream, as Tern and grpc-go both generate it.
type msgStream interface {
	Send(*benchpb.Msg) error
	Recv() (*benchpb.Msg, error)
	CloseSend() error
}

// streamClient opens one Chat stream per worker.
type streamClient struct {
	open  func(ctx context.Context) (msgStream, error)
	close func() error
	msg   string
}

// NewWorker opens the worker's stream.
func (c *streamClient) NewWorker(ctx context.Context) (Worker, error) {
	st, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	return &streamWorker{st: st, req: &benchpb.Msg{Value: c.msg}}, nil
}

// Close releases the client's connections.
func (c *streamClient) Close() error { return c.close() }

// streamWorker ping-pongs on its stream: one message out, one back, per call.
type streamWorker struct {
	st  msgStream
	req *benchpb.Msg
}

// Call sends the message and waits for its echo on the same stream.
func (w *streamWorker) Call(context.Context) error {
	if err := w.st.Send(w.req); err != nil {
		return err
	}
	resp, err := w.st.Recv()
	if err != nil {
		return err
	}
	return checkEcho(len(resp.Value), len(w.req.Value))
}

// Close half-closes the stream and waits for the server to end it.
func (w *streamWorker) Close() error {
	if err := w.st.CloseSend(); err != nil {
		return err
	}
	if _, err := w.st.Recv(); !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func dialTernBidi(addr string, cfg Config) (Client, error) {
	cli, err := newTernPBClient(addr, cfg, transport.GRPC)
	if err != nil {
		return nil, err
	}
	open := func(ctx context.Context) (msgStream, error) { return cli.Chat(ctx) }
	return &streamClient{open: open, close: cli.Close, msg: message(cfg.Payload)}, nil
}

func dialGrpcGoBidi(addr string, cfg Config) (Client, error) {
	cc, err := dialGrpcGoConn(addr)
	if err != nil {
		return nil, err
	}
	desc := &grpcEchoDesc.Streams[0]
	open := func(ctx context.Context) (msgStream, error) {
		st, err := cc.NewStream(ctx, desc, "/benchpb.Echo/Chat")
		if err != nil {
			return nil, err
		}
		return &grpc.GenericClientStream[benchpb.Msg, benchpb.Msg]{ClientStream: st}, nil
	}
	return &streamClient{open: open, close: cc.Close, msg: message(cfg.Payload)}, nil
}

package contenders

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cloudwego/kitex/pkg/serviceinfo"
	"github.com/cloudwego/kitex/pkg/streaming"
	"github.com/cloudwego/kitex/transport"
	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/bench/gen/pb/benchpb"
)

func init() {
	register(&Contender{Name: "kitex-kpb", Group: GroupUnary,
		Desc:  "Kitex v0.16.3, Kitex Protobuf over TTHeader, pooled connections",
		Serve: serveKitexPB, Dial: dialKitexPB(transport.TTHeaderFramed)})
	register(&Contender{Name: "kitex-grpc", Group: GroupUnary,
		Desc:  "Kitex v0.16.3, gRPC unary",
		Serve: serveKitexPB, Dial: dialKitexPB(transport.GRPC)})
	register(&Contender{Name: "kitex-grpc-bidi", Group: GroupBidi,
		Desc:  "Kitex v0.16.3, gRPC bidirectional stream per worker, one message each way per call",
		Serve: serveKitexPB, Dial: dialKitexBidi})
}

// kitexPBEcho is the handler interface of the hand-written Kitex protobuf service benchpb.Echo.
type kitexPBEcho interface {
	Echo(ctx context.Context, req *benchpb.Msg) (*benchpb.Msg, error)
	Chat(st streaming.Stream) error
}

// kitexPBInfo describes benchpb.Echo to Kitex in the shape kitex v0.16.3 generates for a .proto (its
// default template): Args/Result wrappers with Marshal and Unmarshal for Kitex Protobuf, handlers that
// take *streaming.Args over gRPC.
var kitexPBInfo = &serviceinfo.ServiceInfo{
	ServiceName: "Echo",
	HandlerType: (*kitexPBEcho)(nil),
	Methods: map[string]serviceinfo.MethodInfo{
		"Echo": serviceinfo.NewMethodInfo(kitexPBEchoHandler, newKPBArgs, newKPBResult, false,
			serviceinfo.WithStreamingMode(serviceinfo.StreamingUnary)),
		"Chat": serviceinfo.NewMethodInfo(kitexPBChatHandler, newKPBArgs, newKPBResult, false,
			serviceinfo.WithStreamingMode(serviceinfo.StreamingBidirectional)),
	},
	PayloadCodec:    serviceinfo.Protobuf,
	KiteXGenVersion: "v0.16.3",
	Extra:           map[string]any{"PackageName": "benchpb", "streaming": true},
}

func newKPBArgs() any   { return new(kpbArgs) }
func newKPBResult() any { return new(kpbResult) }

// kpbArgs is the Kitex argument wrapper: the request message.
type kpbArgs struct{ Req *benchpb.Msg }

// Marshal appends the request.
func (p *kpbArgs) Marshal(out []byte) ([]byte, error) {
	return proto.MarshalOptions{}.MarshalAppend(out, p.Req)
}

// Unmarshal decodes the request.
func (p *kpbArgs) Unmarshal(in []byte) error {
	p.Req = new(benchpb.Msg)
	return proto.Unmarshal(in, p.Req)
}

// GetFirstArgument returns the request.
func (p *kpbArgs) GetFirstArgument() any { return p.Req }

// kpbResult is the Kitex result wrapper: the response message.
type kpbResult struct{ Success *benchpb.Msg }

// Marshal appends the response.
func (p *kpbResult) Marshal(out []byte) ([]byte, error) {
	return proto.MarshalOptions{}.MarshalAppend(out, p.Success)
}

// Unmarshal decodes the response.
func (p *kpbResult) Unmarshal(in []byte) error {
	p.Success = new(benchpb.Msg)
	return proto.Unmarshal(in, p.Success)
}

// GetResult returns the response.
func (p *kpbResult) GetResult() any { return p.Success }

// SetSuccess sets the response.
func (p *kpbResult) SetSuccess(x any) { p.Success = x.(*benchpb.Msg) }

// IsSetSuccess reports whether the response is set.
func (p *kpbResult) IsSetSuccess() bool { return p.Success != nil }

var errKitexArgs = errors.New("contenders: unexpected Kitex argument type")

func kitexPBEchoHandler(ctx context.Context, handler, arg, result any) error {
	switch a := arg.(type) {
	case *streaming.Args: // gRPC
		req := new(benchpb.Msg)
		if err := a.Stream.RecvMsg(req); err != nil {
			return err
		}
		resp, err := handler.(kitexPBEcho).Echo(ctx, req)
		if err != nil {
			return err
		}
		return a.Stream.SendMsg(resp)
	case *kpbArgs: // Kitex Protobuf
		resp, err := handler.(kitexPBEcho).Echo(ctx, a.Req)
		if err != nil {
			return err
		}
		result.(*kpbResult).Success = resp
		return nil
	}
	return fmt.Errorf("%w: %T", errKitexArgs, arg)
}

func kitexPBChatHandler(_ context.Context, handler, arg, _ any) error {
	a, ok := arg.(*streaming.Args)
	if !ok || a.Stream == nil {
		return fmt.Errorf("%w: %T (Chat needs gRPC)", errKitexArgs, arg)
	}
	return handler.(kitexPBEcho).Chat(a.Stream)
}

type kitexPBEchoImpl struct{}

// Echo answers the request's value.
func (*kitexPBEchoImpl) Echo(_ context.Context, req *benchpb.Msg) (*benchpb.Msg, error) {
	return &benchpb.Msg{Value: req.Value}, nil
}

// Chat echoes every message until the client half-closes.
func (*kitexPBEchoImpl) Chat(st streaming.Stream) error {
	for {
		m := new(benchpb.Msg)
		if err := st.RecvMsg(m); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if err := st.SendMsg(m); err != nil {
			return err
		}
	}
}

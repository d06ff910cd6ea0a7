package kitexpeer

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudwego/kitex/pkg/serviceinfo"
	"github.com/cloudwego/kitex/pkg/streaming"
	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
)

// The protobuf service kitexpeer.echo.Echo of echopb/echo.proto, described to Kitex by hand in the
// shape kitex v0.16.3 generates for a protobuf IDL (its default, non-streamx template): Args/Result
// wrappers with Marshal and Unmarshal, unary handlers that accept both the wrappers (Kitex Protobuf)
// and *streaming.Args (gRPC), streaming handlers on *streaming.Args.
const (
	// PBServiceName is the protobuf service name, sent as TTHeader key isn and in gRPC paths.
	PBServiceName = "Echo"
	// PBPackageName is the proto package; gRPC paths are /kitexpeer.echo.Echo/<method>.
	PBPackageName = "kitexpeer.echo"
)

// pbEcho is the handler interface of the Kitex protobuf service.
type pbEcho interface {
	Echo(ctx context.Context, req *echopb.Request) (*echopb.Response, error)
	ServerStream(req *echopb.Request, st streaming.Stream) error
	ClientStream(st streaming.Stream) error
	BidiStream(st streaming.Stream) error
}

var errInvalidMessageType = errors.New("kitexpeer: invalid message type for service method handler")

// newPBServiceInfo describes the service: its four methods plus the unary methods extraUnary (served
// like Echo), which a client may know and a server not, for the unknown-method tests.
func newPBServiceInfo(extraUnary ...string) *serviceinfo.ServiceInfo {
	methods := map[string]serviceinfo.MethodInfo{
		"Echo": serviceinfo.NewMethodInfo(pbEchoHandler, newPBArgs, newPBResult, false,
			serviceinfo.WithStreamingMode(serviceinfo.StreamingUnary)),
		"ServerStream": serviceinfo.NewMethodInfo(pbServerStreamHandler, newPBArgs, newPBResult, false,
			serviceinfo.WithStreamingMode(serviceinfo.StreamingServer)),
		"ClientStream": serviceinfo.NewMethodInfo(pbClientStreamHandler, newPBArgs, newPBResult, false,
			serviceinfo.WithStreamingMode(serviceinfo.StreamingClient)),
		"BidiStream": serviceinfo.NewMethodInfo(pbBidiStreamHandler, newPBArgs, newPBResult, false,
			serviceinfo.WithStreamingMode(serviceinfo.StreamingBidirectional)),
	}
	for _, name := range extraUnary {
		methods[name] = serviceinfo.NewMethodInfo(pbEchoHandler, newPBArgs, newPBResult, false,
			serviceinfo.WithStreamingMode(serviceinfo.StreamingUnary))
	}
	return &serviceinfo.ServiceInfo{
		ServiceName:     PBServiceName,
		HandlerType:     (*pbEcho)(nil),
		Methods:         methods,
		PayloadCodec:    serviceinfo.Protobuf,
		KiteXGenVersion: "v0.16.3",
		Extra:           map[string]any{"PackageName": PBPackageName, "streaming": true},
	}
}

func newPBArgs() any   { return &PBArgs{} }
func newPBResult() any { return &PBResult{} }

// PBArgs is the Kitex argument wrapper of every method: the request message.
type PBArgs struct {
	Req *echopb.Request
}

// Marshal appends nothing for an unset request (an empty message), as kitex-generated code does.
func (p *PBArgs) Marshal(out []byte) ([]byte, error) {
	if p.Req == nil {
		return out, nil
	}
	return proto.MarshalOptions{}.MarshalAppend(out, p.Req)
}

// Unmarshal decodes the request.
func (p *PBArgs) Unmarshal(in []byte) error {
	msg := new(echopb.Request)
	if err := proto.Unmarshal(in, msg); err != nil {
		return err
	}
	p.Req = msg
	return nil
}

// GetFirstArgument returns the request (Kitex's tracing and gRPC unary paths ask for it).
func (p *PBArgs) GetFirstArgument() any { return p.Req }

// PBResult is the Kitex result wrapper of every method: the response message.
type PBResult struct {
	Success *echopb.Response
}

// Marshal appends nothing for an unset response, as kitex-generated code does.
func (p *PBResult) Marshal(out []byte) ([]byte, error) {
	if p.Success == nil {
		return out, nil
	}
	return proto.MarshalOptions{}.MarshalAppend(out, p.Success)
}

// Unmarshal decodes the response.
func (p *PBResult) Unmarshal(in []byte) error {
	msg := new(echopb.Response)
	if err := proto.Unmarshal(in, msg); err != nil {
		return err
	}
	p.Success = msg
	return nil
}

// GetSuccess returns the response or nil.
func (p *PBResult) GetSuccess() *echopb.Response { return p.Success }

// SetSuccess sets the response (Kitex's gRPC unary client path calls it).
func (p *PBResult) SetSuccess(x any) { p.Success = x.(*echopb.Response) }

// IsSetSuccess reports whether the response is set.
func (p *PBResult) IsSetSuccess() bool { return p.Success != nil }

// GetResult returns the response.
func (p *PBResult) GetResult() any { return p.Success }

func pbEchoHandler(ctx context.Context, handler, arg, result any) error {
	switch s := arg.(type) {
	case *streaming.Args: // gRPC
		req := new(echopb.Request)
		if err := s.Stream.RecvMsg(req); err != nil {
			return err
		}
		resp, err := handler.(pbEcho).Echo(ctx, req)
		if err != nil {
			return err
		}
		return s.Stream.SendMsg(resp)
	case *PBArgs: // Kitex Protobuf
		resp, err := handler.(pbEcho).Echo(ctx, s.Req)
		if err != nil {
			return err
		}
		result.(*PBResult).Success = resp
		return nil
	}
	return fmt.Errorf("%w: %T", errInvalidMessageType, arg)
}

func streamOf(arg any) (streaming.Stream, error) {
	s, ok := arg.(*streaming.Args)
	if !ok || s.Stream == nil {
		return nil, fmt.Errorf("%w: %T (streaming methods need gRPC)", errInvalidMessageType, arg)
	}
	return s.Stream, nil
}

func pbServerStreamHandler(_ context.Context, handler, arg, _ any) error {
	st, err := streamOf(arg)
	if err != nil {
		return err
	}
	req := new(echopb.Request)
	if err := st.RecvMsg(req); err != nil {
		return err
	}
	return handler.(pbEcho).ServerStream(req, st)
}

func pbClientStreamHandler(_ context.Context, handler, arg, _ any) error {
	st, err := streamOf(arg)
	if err != nil {
		return err
	}
	return handler.(pbEcho).ClientStream(st)
}

func pbBidiStreamHandler(_ context.Context, handler, arg, _ any) error {
	st, err := streamOf(arg)
	if err != nil {
		return err
	}
	return handler.(pbEcho).BidiStream(st)
}

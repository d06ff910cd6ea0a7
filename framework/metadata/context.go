package metadata

import (
	"context"
	"errors"

	"github.com/ternhq/tern/framework/internal/callctx"
)

// The context functions follow grpc-go's metadata package, so that code written against it reads the
// same: a client puts the headers of its next calls in the context it calls with, and a server handler
// finds the request's headers, and sets its response headers and trailers, through the call's context.
// They apply to gRPC calls; Thrift and Kitex Protobuf calls carry metainfo instead.

type outgoingKey struct{}

// NewOutgoingContext returns ctx whose gRPC calls send md as request headers, replacing any set before.
// md must not be modified afterwards.
func NewOutgoingContext(ctx context.Context, md MD) context.Context {
	return context.WithValue(ctx, outgoingKey{}, md)
}

// AppendToOutgoingContext returns ctx whose gRPC calls also send the pairs of kv (key, value, key,
// value …) as request headers; it panics on an odd count. Headers set before are kept.
func AppendToOutgoingContext(ctx context.Context, kv ...string) context.Context {
	if len(kv)%2 == 1 {
		panic("metadata: AppendToOutgoingContext with an odd number of strings")
	}
	md, _ := ctx.Value(outgoingKey{}).(MD)
	out := make(MD, len(md)+len(kv)/2)
	for k, v := range md {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i < len(kv); i += 2 {
		out.Append(kv[i], kv[i+1])
	}
	return context.WithValue(ctx, outgoingKey{}, out)
}

// FromOutgoingContext returns the request headers gRPC calls made with ctx send, and whether there are
// any. The caller must not modify them.
func FromOutgoingContext(ctx context.Context) (MD, bool) {
	md, ok := ctx.Value(outgoingKey{}).(MD)
	return md, ok && len(md) > 0
}

// ServerCall is the server side of one gRPC call as its handler's context carries it: the request's
// headers, and where the response's go. The framework's server puts it in every gRPC handler's
// context; tests may use NewServerContext to do the same.
type ServerCall interface {
	// Header returns the request's headers.
	Header() MD
	// SetHeader adds md to the response headers, sent with the first response message or the status.
	SetHeader(md MD) error
	// SendHeader sends the response headers now, md added.
	SendHeader(md MD) error
	// SetTrailer adds md to the trailers sent with the status.
	SetTrailer(md MD)
}

// serverCallKey is shared with the gRPC transport, whose stream contexts answer for it without a
// layer of their own.
type serverCallKey = callctx.ServerCallKey

// NewServerContext returns ctx carrying call, for a gRPC handler.
func NewServerContext(ctx context.Context, call ServerCall) context.Context {
	return context.WithValue(ctx, serverCallKey{}, call)
}

// ServerCallFromContext returns the gRPC server call ctx belongs to, and whether it belongs to one.
func ServerCallFromContext(ctx context.Context) (ServerCall, bool) {
	call, ok := ctx.Value(serverCallKey{}).(ServerCall)
	return call, ok
}

// FromIncomingContext returns the request headers of the gRPC call ctx belongs to (a server handler's
// context), and whether ctx belongs to one. The caller must not modify them.
func FromIncomingContext(ctx context.Context) (MD, bool) {
	call, ok := ctx.Value(serverCallKey{}).(ServerCall)
	if !ok {
		return nil, false
	}
	return call.Header(), true
}

// ErrNotServerCall is returned by SetHeader, SendHeader and SetTrailer when ctx is not a gRPC server
// handler's context.
var ErrNotServerCall = errors.New("metadata: the context is not a gRPC server call's")

// SetHeader adds md to the response headers of the gRPC call ctx belongs to, sent with the response
// or the status (grpc-go's grpc.SetHeader). It fails once the headers are sent.
func SetHeader(ctx context.Context, md MD) error {
	call, ok := ctx.Value(serverCallKey{}).(ServerCall)
	if !ok {
		return ErrNotServerCall
	}
	return call.SetHeader(md)
}

// SendHeader sends the response headers of the gRPC call ctx belongs to now, md added (grpc-go's
// grpc.SendHeader). It fails once they are sent.
func SendHeader(ctx context.Context, md MD) error {
	call, ok := ctx.Value(serverCallKey{}).(ServerCall)
	if !ok {
		return ErrNotServerCall
	}
	return call.SendHeader(md)
}

// SetTrailer adds md to the trailers of the gRPC call ctx belongs to, sent with its status (grpc-go's
// grpc.SetTrailer).
func SetTrailer(ctx context.Context, md MD) error {
	call, ok := ctx.Value(serverCallKey{}).(ServerCall)
	if !ok {
		return ErrNotServerCall
	}
	call.SetTrailer(md)
	return nil
}

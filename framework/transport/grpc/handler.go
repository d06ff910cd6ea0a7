package grpc

import (
	"context"

	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
)

// Kind is how a server serves a method.
type Kind uint8

// Method kinds.
const (
	// KindUnknown methods are answered with Unimplemented, without reading the request.
	KindUnknown Kind = iota
	// KindUnary methods take one request message and return one response message.
	KindUnary
	// KindStreaming methods exchange any number of messages each way (client-, server- or
	// bidirectional streaming); the handler enforces the method's cardinality.
	KindStreaming
)

// Handler serves calls. Messages are bytes: encoding them is up to the handler.
type Handler interface {
	// MethodKind reports how method ("/pkg.Service/Method") is served; the server asks it once per call,
	// when the request headers arrive.
	MethodKind(method string) Kind
	// HandleUnary answers one call to a KindUnary method with the request's metadata. The returned
	// trailer is sent after the response; an error becomes the call's status (its rpcerr code and
	// message). ctx ends with the call's deadline or when the client cancels; metadata.SetHeader,
	// SendHeader and SetTrailer on ctx add response headers and trailers.
	HandleUnary(ctx context.Context, method string, md metadata.MD, req []byte) (resp []byte, trailer metadata.MD, err error)
	// HandleStream serves one call to a KindStreaming method on ss; ctx is ss.Context(). The returned
	// error becomes the call's status, sent in the trailers.
	HandleStream(ctx context.Context, method string, ss *ServerStream) error
}

// Method serves one method of a MethodMap: a UnaryFunc or a StreamFunc.
type Method interface {
	kind() Kind
}

// UnaryFunc handles calls to one unary method.
type UnaryFunc func(ctx context.Context, md metadata.MD, req []byte) (resp []byte, trailer metadata.MD, err error)

// StreamFunc handles calls to one streaming method.
type StreamFunc func(ctx context.Context, ss *ServerStream) error

func (UnaryFunc) kind() Kind  { return KindUnary }
func (StreamFunc) kind() Kind { return KindStreaming }

// MethodMap is a Handler routing by method name; unknown methods fail with Unimplemented.
type MethodMap map[string]Method

// MethodKind implements Handler.
func (m MethodMap) MethodKind(method string) Kind {
	if f, ok := m[method]; ok && f != nil {
		return f.kind()
	}
	return KindUnknown
}

// HandleUnary implements Handler.
func (m MethodMap) HandleUnary(ctx context.Context, method string, md metadata.MD, req []byte) ([]byte, metadata.MD, error) {
	if f, ok := m[method].(UnaryFunc); ok && f != nil {
		return f(ctx, md, req)
	}
	return nil, nil, unknownMethod(method)
}

// HandleStream implements Handler.
func (m MethodMap) HandleStream(ctx context.Context, method string, ss *ServerStream) error {
	if f, ok := m[method].(StreamFunc); ok && f != nil {
		return f(ctx, ss)
	}
	return unknownMethod(method)
}

func unknownMethod(method string) error {
	return rpcerr.Errorf(rpcerr.CodeUnimplemented, "unknown method %s", method)
}

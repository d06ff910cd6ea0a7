// Package streaming defines the streams of streaming calls (gRPC client-, server- and bidirectional
// streaming). Generated code wraps them in typed interfaces (Send, Recv, CloseAndRecv, SendAndClose);
// these are the untyped streams underneath, on the client and on the server.
package streaming

import (
	"context"

	"github.com/ternhq/tern/framework/metadata"
)

// Mode is how a method streams.
type Mode uint8

// Streaming modes.
const (
	// None is a unary (ping-pong or oneway) method.
	None Mode = iota
	// ClientStreaming methods take a stream of requests and return one response.
	ClientStreaming
	// ServerStreaming methods take one request and return a stream of responses.
	ServerStreaming
	// BidiStreaming methods stream both ways.
	BidiStreaming
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case None:
		return "unary"
	case ClientStreaming:
		return "client-streaming"
	case ServerStreaming:
		return "server-streaming"
	case BidiStreaming:
		return "bidi-streaming"
	}
	return "unknown"
}

// Stream is what both ends of a streaming call share. SendMsg and RecvMsg take the method's message
// values (protobuf messages). One goroutine may send while another receives; two goroutines must not
// send (or receive) at the same time.
type Stream interface {
	// Context is the call's context: it ends when the call ends, is cancelled or exceeds its deadline.
	Context() context.Context
	// SendMsg sends one message. It blocks while flow control holds it back, until ctx ends.
	SendMsg(m any) error
	// RecvMsg receives the next message into m. It returns io.EOF once the peer has finished sending
	// successfully, and an error carrying an rpcerr code otherwise.
	RecvMsg(m any) error
}

// ClientStream is the client's end of a streaming call.
type ClientStream interface {
	Stream
	// Header waits for and returns the server's headers.
	Header() (metadata.MD, error)
	// Trailer returns the server's trailers; it is complete once RecvMsg has returned an error (io.EOF
	// included).
	Trailer() metadata.MD
	// CloseSend tells the server no more messages follow.
	CloseSend() error
}

// ServerStream is the server's end of a streaming call.
type ServerStream interface {
	Stream
	// SetHeader adds md to the headers sent before the first message (or with the status).
	SetHeader(md metadata.MD) error
	// SendHeader sends the headers now, md added.
	SendHeader(md metadata.MD) error
	// SetTrailer adds md to the trailers sent with the status.
	SetTrailer(md metadata.MD)
}

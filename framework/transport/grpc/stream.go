package grpc

import (
	"context"
	"sync"

	"golang.org/x/net/http2"

	"github.com/ternhq/tern/framework/rpcerr"
)

// stream is one HTTP/2 stream of a call. Its receive side is fed by the connection's reader; the call's
// goroutine sends on it. Unary calls read one message from it; streaming calls will read many.
type stream struct {
	id uint32
	c  *conn

	// guarded by c.mu
	sendWindow int64
	sendClosed bool // no more DATA may be sent (reset, or the connection is gone)

	// owned by the connection's reader
	parser      msgParser
	recvWindow  int64
	recvUnacked int64

	ready     chan struct{} // closed once the receive side is complete or failed
	readyOnce sync.Once

	mu          sync.Mutex
	msgs        []message
	gotHeaders  bool
	remoteEnded bool
	reset       bool
	recvErr     error
	header      Metadata // received headers
	trailer     Metadata // received trailers
	httpStatus  int
	contentType string
	encoding    string // grpc-encoding of received messages
	grpcStatus  string
	grpcMessage string
	sendHeader  Metadata // server: headers the handler set
	acceptGzip  bool     // server: the client accepts gzip responses
	method      string   // server: :path
	cancel      context.CancelFunc
}

func newStream(c *conn, id uint32, sendWindow int64) *stream {
	return &stream{
		id: id, c: c, sendWindow: sendWindow, ready: make(chan struct{}),
		parser:     msgParser{max: c.cfg.MaxRecvMsgSize},
		recvWindow: int64(c.cfg.InitialWindowSize),
	}
}

// deliver queues received messages.
func (st *stream) deliver(msgs []message) {
	if len(msgs) == 0 {
		return
	}
	st.mu.Lock()
	st.msgs = append(st.msgs, msgs...)
	st.mu.Unlock()
}

// endRemote marks the peer's half closed.
func (st *stream) endRemote() {
	st.mu.Lock()
	st.remoteEnded = true
	st.mu.Unlock()
	st.readyOnce.Do(func() { close(st.ready) })
}

// fail ends the receive side with err (the first error wins) and stops sending.
func (st *stream) fail(err error, wasReset bool) {
	st.mu.Lock()
	if st.recvErr == nil && !st.remoteEnded {
		st.recvErr = err
	}
	st.reset = st.reset || wasReset
	cancel := st.cancel
	st.mu.Unlock()
	st.c.mu.Lock()
	st.sendClosed = true
	st.c.cond.Broadcast()
	st.c.mu.Unlock()
	st.readyOnce.Do(func() { close(st.ready) })
	if cancel != nil && wasReset {
		cancel()
	}
}

func (st *stream) wasReset() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.reset
}

func (st *stream) hasRemoteEnded() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.remoteEnded
}

// recvUnary returns the one message of a unary call's receive side, once complete.
func (st *stream) recvUnary(max int) ([]byte, error) {
	st.mu.Lock()
	err, msgs, enc := st.recvErr, st.msgs, st.encoding
	st.mu.Unlock()
	if err != nil {
		return nil, err
	}
	switch {
	case len(msgs) == 0:
		return nil, rpcerr.New(rpcerr.CodeInternal, "grpc: no message received on a unary call")
	case len(msgs) > 1:
		return nil, rpcerr.New(rpcerr.CodeInternal, "grpc: more than one message received on a unary call")
	}
	return decodeMessage(msgs[0], enc, max)
}

// resetError maps a received RST_STREAM code to an error, as the gRPC spec asks.
func resetError(code http2.ErrCode) error {
	switch code {
	case http2.ErrCodeRefusedStream:
		return rpcerr.New(rpcerr.CodeUnavailable, "grpc: stream refused by the server")
	case http2.ErrCodeCancel:
		return rpcerr.New(rpcerr.CodeCanceled, "grpc: stream cancelled by the peer")
	case http2.ErrCodeEnhanceYourCalm:
		return rpcerr.New(rpcerr.CodeResourceExhausted, "grpc: peer asked to enhance your calm")
	case http2.ErrCodeInadequateSecurity:
		return rpcerr.New(rpcerr.CodePermissionDenied, "grpc: inadequate security")
	}
	return rpcerr.Errorf(rpcerr.CodeInternal, "grpc: stream reset by the peer: %v", code)
}

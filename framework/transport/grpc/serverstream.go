package grpc

import (
	"context"
	"errors"
	"io"
	"sync"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/internal/callctx"
	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
)

// ServerStream is the server's end of a call, handed to Handler.HandleStream: it receives request
// messages and sends response messages as bytes. One goroutine may send (SendMsg, SendHeader) while
// another receives; two goroutines must not send, or receive, at the same time. The handler's return
// ends the call: its error becomes the status sent in the trailers.
type ServerStream struct {
	sc          *serverConn
	st          *stream
	ctx         context.Context
	sctx        streamContext // what ctx points to
	method      string
	contentType string
	gz          bool // respond gzip-compressed, as the client sent

	mu         sync.Mutex // guards header, trailer, headerSent
	header     metadata.MD
	trailer    metadata.MD
	headerSent bool

	out     outbound // the message being sent
	pending bool     // out holds a unary response still to send, with the trailers

	// room for the header and trailer fields of an ordinary call, so that building them allocates
	// nothing: fieldArr[:headerRoom] for the headers, the rest for the trailers
	fieldArr [headerRoom + 4]hpack.HeaderField
}

// headerRoom is how many response header fields a ServerStream holds without allocating.
const headerRoom = 4

func (sc *serverConn) newServerStream(st *stream, f *headerBlock) (*ServerStream, error) {
	ss := &ServerStream{sc: sc, st: st}
	ctx, bad := sc.parseRequest(st, ss, f)
	ss.sctx = streamContext{Context: ctx, ss: ss}
	ss.ctx = &ss.sctx
	return ss, bad
}

// streamContext is a call's context: parseRequest's (deadline, cancellation, peer), answering for
// metadata's server-call key with the stream itself, so that metadata.FromIncomingContext, SetHeader
// and friends reach the stream without a context layer allocated per call.
type streamContext struct {
	context.Context
	ss *ServerStream
}

// Value returns the stream for metadata's server-call key, and the parent's value for any other.
func (c *streamContext) Value(key any) any {
	if _, ok := key.(callctx.ServerCallKey); ok {
		return c.ss
	}
	return c.Context.Value(key)
}

// Context returns the call's context: it ends with the call's deadline, when the client cancels, and
// once the handler has returned.
func (ss *ServerStream) Context() context.Context { return ss.ctx }

// Method returns the called method ("/pkg.Service/Method").
func (ss *ServerStream) Method() string { return ss.method }

// Header returns the request's metadata.
func (ss *ServerStream) Header() metadata.MD { return ss.st.header }

// SetHeader adds md to the response headers, sent with the first message or the status. It fails once
// they are sent.
func (ss *ServerStream) SetHeader(md metadata.MD) error {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.headerSent {
		return rpcerr.New(rpcerr.CodeInternal, "grpc: SetHeader after the headers were sent")
	}
	ss.header = mergeMD(ss.header, md)
	return nil
}

// SendHeader sends the response headers now, md added. It fails once they are sent.
func (ss *ServerStream) SendHeader(md metadata.MD) error {
	if err := ss.SetHeader(md); err != nil {
		return err
	}
	fields := ss.takeHeader()
	if fields == nil {
		return rpcerr.New(rpcerr.CodeInternal, "grpc: SendHeader after the headers were sent")
	}
	return ss.sendErr(ss.sc.c.writeHeadersSoon(ss.st.id, fields))
}

// SetTrailer adds md to the trailers sent with the status.
func (ss *ServerStream) SetTrailer(md metadata.MD) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.trailer = mergeMD(ss.trailer, md)
}

func mergeMD(dst, md metadata.MD) metadata.MD {
	if len(md) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(metadata.MD, len(md))
	}
	for k, v := range md {
		dst.Append(k, v...)
	}
	return dst
}

// takeHeader returns the response header fields, once: nil when they were already sent.
func (ss *ServerStream) takeHeader() []hpack.HeaderField {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.headerSent {
		return nil
	}
	ss.headerSent = true
	fields := ss.fieldArr[:0:headerRoom]
	if n := 3 + len(ss.header); n > headerRoom {
		fields = make([]hpack.HeaderField, 0, n)
	}
	fields = ss.baseFields(fields)
	if ss.gz {
		fields = append(fields, hpack.HeaderField{Name: "grpc-encoding", Value: "gzip"})
	}
	return appendMetadata(fields, ss.header)
}

// baseFields appends the response's :status and content-type. A request that is not gRPC gets 415
// Unsupported Media Type, as the gRPC spec asks.
func (ss *ServerStream) baseFields(fields []hpack.HeaderField) []hpack.HeaderField {
	status, ct := "200", ss.contentType
	if !isGrpcContentType(ct) {
		status, ct = "415", "application/grpc"
	}
	return append(fields, hpack.HeaderField{Name: ":status", Value: status}, hpack.HeaderField{Name: "content-type", Value: ct})
}

// SendMsg sends one response message (with the headers first), blocking while flow control holds it
// back. It fails with ResourceExhausted for a message over MaxSendMsgSize, and with Canceled or
// DeadlineExceeded once the call's context ends.
func (ss *ServerStream) SendMsg(b []byte) error {
	msg, flag, err := encodeOut(b, ss.gz, ss.sc.c.cfg.MaxSendMsgSize)
	if err != nil {
		return err
	}
	ss.out = outbound{msg: msg, flag: flag, hasMsg: true, header: ss.takeHeader()}
	return ss.sendErr(ss.sc.c.send(ss.ctx, ss.st, &ss.out))
}

// sendErr explains a failed send: the stream's own error (a reset by the client), the context's, or err.
func (ss *ServerStream) sendErr(err error) error {
	if err == nil {
		return nil
	}
	if terr := ss.st.terminalErr(); terr != nil {
		return terr
	}
	if cerr := ss.ctx.Err(); cerr != nil {
		return ctxError(cerr)
	}
	return err
}

// RecvMsg returns the next request message; io.EOF once the client has finished sending.
func (ss *ServerStream) RecvMsg() ([]byte, error) { return ss.st.recvMsg(ss.ctx) }

// run serves one call and writes its end; it runs in the call's goroutine.
func (sc *serverConn) run(ss *ServerStream, bad error) {
	err := bad
	if err == nil {
		err = sc.call(ss)
	}
	ss.finish(err)
	ss.st.cancel()
	c := sc.c
	c.mu.Lock()
	c.running--
	c.mu.Unlock()
	if c.forget(ss.st) {
		c.close(errDrained)
	}
}

// call runs the handler; a panic becomes an Internal status.
func (sc *serverConn) call(ss *ServerStream) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = rpcerr.Errorf(rpcerr.CodeInternal, "grpc: handler panic: %v", r)
		}
	}()
	switch sc.s.h.MethodKind(ss.method) {
	case KindUnary:
		return sc.unary(ss)
	case KindStreaming:
		return sc.s.h.HandleStream(ss.ctx, ss.method, ss)
	}
	return unknownMethod(ss.method)
}

// unary serves a unary call on its stream; the response waits in ss.out to leave with the trailers.
func (sc *serverConn) unary(ss *ServerStream) error {
	req, err := ss.RecvMsg()
	if err == io.EOF {
		return rpcerr.New(rpcerr.CodeInternal, "grpc: no request message on a unary call")
	}
	if err != nil {
		return err
	}
	if _, err := ss.RecvMsg(); err != io.EOF {
		if err == nil {
			err = rpcerr.New(rpcerr.CodeInternal, "grpc: more than one request message on a unary call")
		}
		return err
	}
	resp, trailer, err := sc.s.h.HandleUnary(ss.ctx, ss.method, ss.Header(), req)
	ss.mu.Lock()
	if ss.trailer == nil {
		ss.trailer = trailer // returned to us: no copy needed
	} else {
		ss.trailer = mergeMD(ss.trailer, trailer)
	}
	ss.mu.Unlock()
	if err != nil {
		return err
	}
	msg, flag, err := encodeOut(resp, ss.gz, sc.c.cfg.MaxSendMsgSize)
	if err != nil {
		return err
	}
	ss.out = outbound{msg: msg, flag: flag, hasMsg: true, header: ss.takeHeader()}
	ss.pending = true
	return nil
}

// finish writes the call's status (and a pending unary response) unless the client reset the stream.
func (ss *ServerStream) finish(err error) {
	st, c := ss.st, ss.sc.c
	st.mu.Lock()
	if st.finished {
		st.mu.Unlock()
		return
	}
	st.finished = true
	remoteEnded := st.remoteEnded
	st.mu.Unlock()
	if err == nil && errors.Is(ss.ctx.Err(), context.DeadlineExceeded) {
		err = rpcerr.New(rpcerr.CodeDeadlineExceeded, "deadline exceeded")
	}
	o := &ss.out
	if err != nil || !ss.pending {
		*o = outbound{}
	}
	o.end, o.trailer = true, ss.trailerFields(err)
	c.mu.Lock()
	c.uncountLocked(st) // the client may open another stream as soon as it sees the trailers
	c.mu.Unlock()
	if c.send(ss.ctx, st, o) != nil {
		if o.off > 0 && !o.done {
			c.writeRST(st.id, http2.ErrCodeCancel)
		}
		return
	}
	if !remoteEnded {
		c.writeRST(st.id, http2.ErrCodeNo)
	}
}

// trailerFields returns the status fields, preceded by the response headers when none were sent.
func (ss *ServerStream) trailerFields(err error) []hpack.HeaderField {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	fields := ss.fieldArr[headerRoom:headerRoom]
	if n := 4 + len(ss.header) + len(ss.trailer); n > len(ss.fieldArr)-headerRoom {
		fields = make([]hpack.HeaderField, 0, n)
	}
	if !ss.headerSent {
		ss.headerSent = true
		fields = appendMetadata(ss.baseFields(fields), ss.header)
	}
	return appendMetadata(statusFields(fields, err), ss.trailer)
}

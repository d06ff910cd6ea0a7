package grpc

import (
	"context"
	"io"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
)

// ClientStream is the client's end of a call: it sends request messages and receives response messages
// as bytes (encoding them is the caller's job). One goroutine may send (SendMsg, CloseSend) while
// another receives (RecvMsg, Header); two goroutines must not send, or receive, at the same time.
//
// A call ends when RecvMsg returns an error (io.EOF included) or when its context ends; a caller that
// stops reading early must cancel the context to release the stream.
type ClientStream struct {
	cc     *ClientConn
	st     *stream
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
	stop   func() bool
	gz     bool
	closed bool     // CloseSend was called
	out    outbound // the message being sent

	fieldArr [12]hpack.HeaderField // room for the request's header fields, so that they allocate nothing
}

// NewStream starts a call to method ("/pkg.Service/Method") with md as its request headers, waiting for
// a stream slot while the server's concurrent-stream limit is reached. Cancelling ctx, or its deadline,
// resets the stream and fails pending SendMsg and RecvMsg with Canceled or DeadlineExceeded.
func (cc *ClientConn) NewStream(ctx context.Context, method string, md metadata.MD) (*ClientStream, error) {
	return cc.newStream(ctx, method, md, nil, false)
}

// newStream opens a stream; with hasFirst, first is sent as the only request message, ending the
// client's side.
func (cc *ClientConn) newStream(ctx context.Context, method string, md metadata.MD, first []byte, hasFirst bool) (*ClientStream, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	cs := &ClientStream{cc: cc, parent: ctx, gz: cc.c.cfg.SendCompression == "gzip"}
	fields, err := cc.requestFields(ctx, method, md, cs.fieldArr[:0])
	if err != nil {
		return nil, err
	}
	cs.out.header = fields
	if hasFirst {
		if err := cs.prepare(first); err != nil {
			return nil, err
		}
		cs.out.end, cs.closed = true, true
	}
	st, err := cc.open(ctx, &cs.out)
	if err != nil {
		return nil, err
	}
	cs.st = st
	if hasFirst {
		// A unary call (Invoke) waits for its response at once, and aborts the stream itself when ctx
		// ends under it (RecvMsg): no context of its own, no watcher.
		cs.ctx, cs.cancel, cs.stop = ctx, noCancel, noStop
	} else {
		cs.ctx, cs.cancel = context.WithCancel(ctx)
		cs.stop = context.AfterFunc(ctx, func() { cs.abort(ctxError(ctx.Err())) })
	}
	st.mu.Lock()
	st.cancel = cs.finish
	done := st.finished
	st.mu.Unlock()
	if done {
		cs.finish()
	}
	if !cs.out.done {
		if err := cs.sendErr(cc.c.send(cs.ctx, st, &cs.out)); err != nil && err != io.EOF {
			return nil, err
		}
	}
	return cs, nil
}

func noCancel()    {}
func noStop() bool { return true }

// finish releases the stream's context once the call is over.
func (cs *ClientStream) finish() {
	cs.stop()
	cs.cancel()
}

// abort ends the call with err, resetting the stream; it does nothing once the call is over.
func (cs *ClientStream) abort(err error) {
	if !cs.st.fail(err) {
		return
	}
	c := cs.cc.c
	_ = c.write(func(fr *http2.Framer) error { return fr.WriteRSTStream(cs.st.id, http2.ErrCodeCancel) })
	cs.cc.forget(cs.st)
}

// prepare frames b as the next message to send, compressing it if configured.
func (cs *ClientStream) prepare(b []byte) error {
	msg, flag, err := encodeOut(b, cs.gz, cs.cc.c.cfg.MaxSendMsgSize)
	if err != nil {
		return err
	}
	cs.out = outbound{header: cs.out.header, msg: msg, flag: flag, hasMsg: true}
	return nil
}

// sendErr maps a send failure: the context's error when it ended, io.EOF when the call ended otherwise
// (RecvMsg then returns its status).
func (cs *ClientStream) sendErr(err error) error {
	if err == nil {
		return nil
	}
	if cerr := cs.parent.Err(); cerr != nil {
		cs.abort(ctxError(cerr))
		return ctxError(cerr)
	}
	return io.EOF
}

// Context returns the call's context; it ends when the call ends.
func (cs *ClientStream) Context() context.Context { return cs.ctx }

// SendMsg sends one request message, blocking while flow control holds it back. It returns io.EOF when
// the call has already ended (RecvMsg then returns its status), ResourceExhausted for a message over
// MaxSendMsgSize (which ends the call), and Canceled or DeadlineExceeded once ctx ends.
func (cs *ClientStream) SendMsg(b []byte) error {
	if cs.closed {
		return rpcerr.New(rpcerr.CodeInternal, "grpc: SendMsg after CloseSend")
	}
	cs.out.header = nil
	if err := cs.prepare(b); err != nil {
		cs.abort(err)
		return err
	}
	return cs.sendErr(cs.cc.c.send(cs.ctx, cs.st, &cs.out))
}

// CloseSend tells the server no more request messages follow. It returns an error only when ctx has
// ended; a call that has ended otherwise reports its status through RecvMsg.
func (cs *ClientStream) CloseSend() error {
	if cs.closed {
		return nil
	}
	cs.closed = true
	cs.out = outbound{end: true}
	if err := cs.sendErr(cs.cc.c.send(cs.ctx, cs.st, &cs.out)); err != io.EOF {
		return err
	}
	return nil
}

// RecvMsg returns the next response message. It returns io.EOF once the server has ended the call with
// status OK, and otherwise the call's status as an *rpcerr.Error: the server's, Canceled or
// DeadlineExceeded when ctx ended, ResourceExhausted for a message over MaxRecvMsgSize, Unavailable when
// the connection failed.
func (cs *ClientStream) RecvMsg() ([]byte, error) {
	b, err := cs.st.recvMsg(cs.ctx)
	switch {
	case err == nil:
		return b, nil
	case err == io.EOF:
		cs.st.mu.Lock()
		status := cs.st.status
		cs.st.mu.Unlock()
		if status != nil {
			return nil, status
		}
		return nil, io.EOF
	}
	cs.abort(err)
	if terr := cs.st.terminalErr(); terr != nil {
		return nil, terr
	}
	return nil, err
}

// Header waits for the server's response headers. A response of trailers alone has none: Header then
// returns nil and the call's status (nil for OK).
func (cs *ClientStream) Header() (metadata.MD, error) {
	st := cs.st
	ready := st.headerWait()
	select {
	case <-ready:
	case <-cs.ctx.Done():
		select {
		case <-ready:
		default:
			return nil, ctxError(cs.ctx.Err())
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.header != nil:
		return st.header, nil
	case st.err != nil:
		return nil, st.err
	}
	return nil, st.status
}

// Trailer returns the server's trailers; they are complete once RecvMsg has returned an error.
func (cs *ClientStream) Trailer() metadata.MD {
	cs.st.mu.Lock()
	defer cs.st.mu.Unlock()
	return cs.st.trailer
}

// Invoke makes a unary call: it sends req to method ("/pkg.Service/Method") with md as headers and
// returns the response with the server's headers and trailers. Errors are *rpcerr.Error: the server's
// status, or Canceled / DeadlineExceeded when ctx ends first, or Unavailable when the connection fails.
func (cc *ClientConn) Invoke(ctx context.Context, method string, md metadata.MD, req []byte) (resp []byte, header, trailer metadata.MD, err error) {
	cs, err := cc.newStream(ctx, method, md, req, true)
	if err != nil {
		return nil, nil, nil, err
	}
	resp, err = cs.RecvMsg()
	switch {
	case err == io.EOF:
		err = rpcerr.New(rpcerr.CodeInternal, "grpc: no response message on a unary call")
	case err == nil:
		if _, err = cs.RecvMsg(); err == nil {
			err = rpcerr.New(rpcerr.CodeInternal, "grpc: more than one response message on a unary call")
			cs.abort(err)
		} else if err == io.EOF {
			err = nil
		}
	}
	cs.st.mu.Lock()
	header, trailer = cs.st.header, cs.st.trailer
	cs.st.mu.Unlock()
	if err != nil {
		return nil, header, trailer, err
	}
	return resp, header, trailer, nil
}

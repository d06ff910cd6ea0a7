package grpc

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/rpcerr"
)

// ClientConn multiplexes calls over one HTTP/2 connection. It is safe for concurrent use.
type ClientConn struct {
	c         *conn
	authority string
	nextID    uint32 // guarded by c.mu
	goAwayID  uint32 // guarded by c.mu; valid when c.draining
	reserved  int    // guarded by c.mu: calls between taking a stream slot and opening the stream
	readErr   chan error
}

// Dial connects to addr and starts a ClientConn on the connection.
func Dial(ctx context.Context, network, addr string, cfg Config) (*ClientConn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, rpcerr.Wrap(rpcerr.CodeUnavailable, err)
	}
	cc, err := newClientConn(nc, addr, cfg)
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	return cc, nil
}

// NewClientConn starts a ClientConn on an established connection: it writes the client preface and
// settings and reads the server's frames in a goroutine. rwc may be a net.Conn, or a transport.Conn
// through NewStreamConn.
func NewClientConn(rwc io.ReadWriteCloser, cfg Config) (*ClientConn, error) {
	authority := "localhost"
	if nc, ok := rwc.(interface{ RemoteAddr() net.Addr }); ok && nc.RemoteAddr() != nil {
		authority = nc.RemoteAddr().String()
	}
	return newClientConn(rwc, authority, cfg)
}

func newClientConn(rwc io.ReadWriteCloser, authority string, cfg Config) (*ClientConn, error) {
	cfg = cfg.normalized()
	c := newConn(rwc, bufio.NewReaderSize(rwc, 32<<10), cfg)
	cc := &ClientConn{c: c, authority: authority, nextID: 1, readErr: make(chan error, 1)}
	c.role = cc
	go c.ctrlLoop()
	if err := c.write(func(*http2.Framer) error {
		_, err := c.bw.WriteString(http2.ClientPreface)
		return err
	}); err != nil {
		return nil, err
	}
	if err := c.writeSettings(true); err != nil {
		return nil, err
	}
	go func() {
		err := c.readLoop()
		c.fail(err)
		cc.readErr <- err
	}()
	return cc, nil
}

// Close sends a GOAWAY and closes the connection; calls in flight fail with Unavailable.
func (cc *ClientConn) Close() error {
	_ = cc.c.write(func(fr *http2.Framer) error { return fr.WriteGoAway(0, http2.ErrCodeNo, nil) })
	cc.c.close(errors.New("grpc: client connection closed"))
	return nil
}

// Done is closed when the connection has closed.
func (cc *ClientConn) Done() <-chan struct{} { return cc.c.done }

func (cc *ClientConn) idle(id uint32) bool {
	cc.c.mu.Lock()
	defer cc.c.mu.Unlock()
	return id%2 == 0 || id >= cc.nextID
}

func (cc *ClientConn) lastPeerStream() uint32 { return 0 }

func (cc *ClientConn) onGoAway(f *http2.GoAwayFrame) {
	c := cc.c
	c.mu.Lock()
	c.draining, cc.goAwayID = true, f.LastStreamID
	var refused []*stream
	for id, st := range c.streams {
		if id > f.LastStreamID {
			refused = append(refused, st)
		}
	}
	c.mu.Unlock()
	for _, st := range refused {
		st.fail(rpcerr.New(rpcerr.CodeUnavailable, "grpc: stream refused by GOAWAY"), true)
	}
}

// Invoke makes a unary call: it sends req to method ("/pkg.Service/Method") with md as headers and
// returns the response with the server's headers and trailers. Errors are *rpcerr.Error: the server's
// status, or Canceled / DeadlineExceeded when ctx ends first, or Unavailable when the connection fails.
func (cc *ClientConn) Invoke(ctx context.Context, method string, md Metadata, req []byte) (resp []byte, header, trailer Metadata, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, ctxError(err)
	}
	c := cc.c
	msg, err := encodeOut(req, c.cfg.SendCompression == "gzip", c.cfg.MaxSendMsgSize)
	if err != nil {
		return nil, nil, nil, err
	}
	fields, err := cc.requestFields(ctx, method, md)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := cc.open(ctx, fields)
	if err != nil {
		return nil, nil, nil, err
	}
	defer c.removeStream(st)
	if err := c.writeData(ctx, st, msg, true); err != nil && !errors.Is(err, errStreamClosed) {
		if ctx.Err() != nil {
			return nil, nil, nil, cc.cancel(st, ctx.Err())
		}
		return nil, nil, nil, err
	}
	select {
	case <-st.ready:
	case <-ctx.Done():
		return nil, nil, nil, cc.cancel(st, ctx.Err())
	}
	return cc.result(st)
}

// cancel resets st after ctx ended and returns the call's error.
func (cc *ClientConn) cancel(st *stream, err error) error {
	st.fail(ctxError(err), true)
	cc.c.writeRST(st.id, http2.ErrCodeCancel)
	return ctxError(err)
}

func ctxError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return rpcerr.Wrap(rpcerr.CodeDeadlineExceeded, err)
	}
	return rpcerr.Wrap(rpcerr.CodeCanceled, err)
}

func (cc *ClientConn) requestFields(ctx context.Context, method string, md Metadata) ([]hpack.HeaderField, error) {
	fields := []hpack.HeaderField{
		{Name: ":method", Value: "POST"}, {Name: ":scheme", Value: "http"},
		{Name: ":path", Value: method}, {Name: ":authority", Value: cc.authority},
		{Name: "content-type", Value: "application/grpc"}, {Name: "user-agent", Value: cc.c.cfg.UserAgent},
		{Name: "te", Value: "trailers"}, {Name: "grpc-accept-encoding", Value: "gzip"},
	}
	if cc.c.cfg.SendCompression == "gzip" {
		fields = append(fields, hpack.HeaderField{Name: "grpc-encoding", Value: "gzip"})
	}
	if dl, ok := ctx.Deadline(); ok {
		d := time.Until(dl)
		if d <= 0 {
			return nil, ctxError(context.DeadlineExceeded)
		}
		fields = append(fields, hpack.HeaderField{Name: "grpc-timeout", Value: encodeTimeout(d)})
	}
	return appendMetadata(fields, md), nil
}

// open allocates a stream id and sends the request headers, waiting while the server's stream limit is
// reached.
func (cc *ClientConn) open(ctx context.Context, fields []hpack.HeaderField) (*stream, error) {
	c := cc.c
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer stop()
	c.mu.Lock()
	for c.err == nil && !c.draining && ctx.Err() == nil && uint32(len(c.streams)+cc.reserved) >= c.peerMaxStreams {
		c.cond.Wait()
	}
	cc.reserved++
	c.mu.Unlock()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.mu.Lock()
	cc.reserved--
	switch {
	case c.err != nil:
		c.mu.Unlock()
		return nil, c.closedErr()
	case c.draining:
		c.mu.Unlock()
		return nil, rpcerr.New(rpcerr.CodeUnavailable, "grpc: connection is closing")
	case ctx.Err() != nil:
		c.mu.Unlock()
		return nil, ctxError(ctx.Err())
	case cc.nextID > 1<<31-1:
		c.mu.Unlock()
		return nil, rpcerr.New(rpcerr.CodeUnavailable, "grpc: stream ids exhausted")
	}
	st := newStream(c, cc.nextID, c.peerInitWindow)
	cc.nextID += 2
	c.streams[st.id] = st
	c.mu.Unlock()
	if err := c.writeHeadersLocked(st.id, fields, false); err != nil {
		c.removeStream(st)
		return nil, err
	}
	return st, nil
}

// onHeaders takes a response's headers or trailers.
func (cc *ClientConn) onHeaders(f *http2.MetaHeadersFrame) error {
	c := cc.c
	st := c.lookup(f.StreamID)
	if st == nil {
		if cc.idle(f.StreamID) {
			return connError{code: http2.ErrCodeProtocol, msg: "HEADERS on an idle stream"}
		}
		return nil
	}
	md := Metadata{}
	st.mu.Lock()
	first := !st.gotHeaders
	st.gotHeaders = true
	for _, hf := range f.Fields {
		switch hf.Name {
		case ":status":
			st.httpStatus, _ = strconv.Atoi(hf.Value)
		case "content-type":
			st.contentType = hf.Value
		case "grpc-encoding":
			st.encoding = hf.Value
		case "grpc-status":
			st.grpcStatus = hf.Value
		case "grpc-message":
			st.grpcMessage = decodeGrpcMessage(hf.Value)
		}
		md.addField(hf)
	}
	if first && !f.StreamEnded() {
		st.header = md
	} else {
		st.trailer = md
	}
	st.mu.Unlock()
	if !first && !f.StreamEnded() {
		c.resetStream(st, http2.ErrCodeProtocol, "trailers without END_STREAM")
		return nil
	}
	if f.StreamEnded() {
		c.endRemote(st)
	}
	return nil
}

// result turns a finished stream into Invoke's results.
func (cc *ClientConn) result(st *stream) ([]byte, Metadata, Metadata, error) {
	st.mu.Lock()
	recvErr, status, code, msg := st.recvErr, st.httpStatus, st.grpcStatus, st.grpcMessage
	header, trailer := st.header, st.trailer
	st.mu.Unlock()
	if recvErr != nil {
		if !st.hasRemoteEnded() && !st.wasReset() {
			cc.c.writeRST(st.id, http2.ErrCodeCancel)
		}
		return nil, header, trailer, recvErr
	}
	if status != 200 {
		return nil, header, trailer, rpcerr.Errorf(httpStatusCode(status), "grpc: unexpected HTTP status %d", status)
	}
	if code == "" {
		return nil, header, trailer, rpcerr.New(rpcerr.CodeInternal, "grpc: server closed the stream without a status")
	}
	n, err := strconv.ParseUint(code, 10, 32)
	if err != nil {
		return nil, header, trailer, rpcerr.Errorf(rpcerr.CodeUnknown, "grpc: malformed grpc-status %q", code)
	}
	if n != 0 {
		return nil, header, trailer, rpcerr.New(rpcerr.Code(n), msg)
	}
	resp, err := st.recvUnary(cc.c.cfg.MaxRecvMsgSize)
	return resp, header, trailer, err
}

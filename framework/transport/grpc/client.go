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

	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
)

// ClientConn multiplexes calls over one HTTP/2 connection. It is safe for concurrent use.
type ClientConn struct {
	c         *conn
	authority string
	nextID    uint32 // guarded by c.mu
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
	c.startKeepalive()
	if err := c.write(func(*http2.Framer) error {
		c.out.b = append(c.out.b, http2.ClientPreface...)
		return nil
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
	_ = cc.c.writeNow(func(fr *http2.Framer) error { return fr.WriteGoAway(0, http2.ErrCodeNo, nil) })
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
	c.draining = true
	c.cond.Broadcast()
	var above []*stream
	for id, st := range c.streams {
		if id > f.LastStreamID {
			above = append(above, st)
		}
	}
	c.mu.Unlock()
	for _, st := range above {
		st.fail(refused("grpc: stream refused by GOAWAY"))
		if c.forget(st) {
			c.close(errDrained)
		}
	}
	if c.drained() {
		c.close(errDrained)
	}
}

// ctxError turns a context's error into the call's error.
func ctxError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return rpcerr.Wrap(rpcerr.CodeDeadlineExceeded, err)
	}
	return rpcerr.Wrap(rpcerr.CodeCanceled, err)
}

// requestFields appends a request's header fields to fields.
func (cc *ClientConn) requestFields(ctx context.Context, method string, md metadata.MD, fields []hpack.HeaderField) ([]hpack.HeaderField, error) {
	fields = append(fields,
		hpack.HeaderField{Name: ":method", Value: "POST"}, hpack.HeaderField{Name: ":scheme", Value: "http"},
		hpack.HeaderField{Name: ":path", Value: method}, hpack.HeaderField{Name: ":authority", Value: cc.authority},
		hpack.HeaderField{Name: "content-type", Value: "application/grpc"},
		hpack.HeaderField{Name: "user-agent", Value: cc.c.cfg.UserAgent},
		hpack.HeaderField{Name: "te", Value: "trailers"})
	// gzip is announced only by a client that compresses itself: a Kitex v0.16.3 server answers in the
	// first encoding the client accepts and fails the call when it has no compressor for it.
	if cc.c.cfg.SendCompression == "gzip" {
		fields = append(fields, hpack.HeaderField{Name: "grpc-encoding", Value: "gzip"},
			hpack.HeaderField{Name: "grpc-accept-encoding", Value: "gzip"})
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

// open waits for a stream slot under the server's SETTINGS_MAX_CONCURRENT_STREAMS, allocates a stream
// id and writes o (the request headers, and what fits now of a first message).
func (cc *ClientConn) open(ctx context.Context, o *outbound) (*stream, error) {
	c := cc.c
	if err := cc.waitSlot(ctx); err != nil {
		return nil, err
	}
	if err := c.lockWrite(); err != nil {
		cc.release()
		return nil, err
	}
	c.mu.Lock()
	cc.reserved--
	var err error
	switch {
	case c.err != nil:
		err = c.closedErrLocked()
	case c.draining:
		err = rpcerr.New(rpcerr.CodeUnavailable, "grpc: connection is closing")
	case cc.nextID > 1<<31-1:
		err = rpcerr.New(rpcerr.CodeUnavailable, "grpc: stream ids exhausted")
	}
	if err != nil {
		c.cond.Broadcast()
		c.mu.Unlock()
		_ = c.unlockWrite(nil)
		return nil, err
	}
	st := newClientStream(c, cc.nextID, c.peerInitWindow)
	st.deadline, _ = ctx.Deadline()
	cc.nextID += 2
	c.streams[st.id] = st
	c.mu.Unlock()
	if err := c.writeOutUnlock(st, o); err != nil && err != errStreamClosed {
		cc.forget(st)
		return nil, err
	}
	return st, nil
}

// waitSlot waits until the server's settings arrived and a stream slot is free, and reserves it.
func (cc *ClientConn) waitSlot(ctx context.Context) error {
	c := cc.c
	c.mu.Lock()
	defer c.mu.Unlock()
	full := func() bool {
		return !c.peerSettings || uint32(len(c.streams)+cc.reserved) >= c.peerMaxStreams
	}
	if full() {
		stop := context.AfterFunc(ctx, func() {
			c.mu.Lock()
			c.cond.Broadcast()
			c.mu.Unlock()
		})
		defer stop()
	}
	for c.err == nil && !c.draining && ctx.Err() == nil && full() {
		c.cond.Wait()
	}
	switch {
	case c.err != nil:
		return c.closedErrLocked()
	case c.draining:
		return rpcerr.New(rpcerr.CodeUnavailable, "grpc: connection is closing")
	case ctx.Err() != nil:
		return ctxError(ctx.Err())
	}
	cc.reserved++
	return nil
}

func (cc *ClientConn) release() {
	cc.c.mu.Lock()
	cc.reserved--
	cc.c.cond.Broadcast()
	cc.c.mu.Unlock()
}

// forget removes a finished stream, closing a drained connection.
func (cc *ClientConn) forget(st *stream) {
	if cc.c.forget(st) {
		cc.c.close(errDrained)
	}
}

// onHeaders takes a response's headers or trailers.
func (cc *ClientConn) onHeaders(f *headerBlock) error {
	c := cc.c
	st := c.lookup(f.StreamID)
	if st == nil {
		if cc.idle(f.StreamID) {
			return connError{code: http2.ErrCodeProtocol, msg: "HEADERS on an idle stream"}
		}
		return nil
	}
	ended := f.StreamEnded()
	st.mu.Lock()
	first := !st.gotHeaders
	st.gotHeaders = true
	r := parseResponse(f.Fields)
	var bad error
	switch {
	case !first && !ended:
		bad = rpcerr.New(rpcerr.CodeInternal, "grpc: trailers without END_STREAM")
	case first && !ended:
		st.header, st.encoding = r.md, r.encoding
		bad = r.headerError()
	default:
		st.trailer = r.md
		st.status = r.statusError(first)
	}
	st.mu.Unlock()
	if bad != nil {
		c.resetStreamErr(st, http2.ErrCodeProtocol, bad)
		return nil
	}
	st.headersDone()
	if ended {
		cc.onEndStream(st)
	}
	return nil
}

// onEndStream finishes a stream the server ended: its slot frees at once, before the application has
// read the messages and status.
func (cc *ClientConn) onEndStream(st *stream) {
	st.mu.Lock()
	st.finished, st.remoteEnded = true, true
	if st.trailer == nil { // ended by DATA: no trailers, no status
		st.status = rpcerr.New(rpcerr.CodeInternal, "grpc: server closed the stream without a status")
	}
	cancel := st.cancel
	st.mu.Unlock()
	cc.forget(st) // closed for sending before the reader learns the end: SendMsg then says io.EOF
	st.headersDone()
	st.signal()
	if cancel != nil {
		cancel()
	}
}

// response is what a client reads from a header block.
type response struct {
	md                          metadata.MD
	httpStatus                  int
	contentType, encoding, code string
	message                     string
	badBin                      bool
}

func parseResponse(fields []hpack.HeaderField) response {
	r := response{md: metadata.MD{}}
	for _, hf := range fields {
		switch hf.Name {
		case ":status":
			r.httpStatus, _ = strconv.Atoi(hf.Value)
		case "content-type":
			r.contentType = hf.Value
		case "grpc-encoding":
			r.encoding = hf.Value
		case "grpc-status":
			r.code = hf.Value
		case "grpc-message":
			r.message = decodeGrpcMessage(hf.Value)
		}
		if !addField(r.md, hf) {
			r.badBin = true
		}
	}
	return r
}

// headerError checks response headers that do not end the stream.
func (r *response) headerError() error {
	switch {
	case r.httpStatus != 200:
		return rpcerr.Errorf(httpStatusCode(r.httpStatus), "grpc: unexpected HTTP status %d", r.httpStatus)
	case !isGrpcContentType(r.contentType):
		return rpcerr.Errorf(rpcerr.CodeUnknown, "grpc: unexpected content-type %q", r.contentType)
	case r.badBin:
		return rpcerr.New(rpcerr.CodeInternal, "grpc: malformed binary header")
	}
	return nil
}

// statusError returns the call's status from its trailers (trailersOnly: a response of trailers alone,
// which carries the HTTP status too); nil for OK.
func (r *response) statusError(trailersOnly bool) error {
	if trailersOnly && r.httpStatus != 200 {
		return rpcerr.Errorf(httpStatusCode(r.httpStatus), "grpc: unexpected HTTP status %d", r.httpStatus)
	}
	if r.code == "" {
		return rpcerr.New(rpcerr.CodeInternal, "grpc: server closed the stream without a status")
	}
	n, err := strconv.ParseUint(r.code, 10, 32)
	if err != nil {
		return rpcerr.Errorf(rpcerr.CodeUnknown, "grpc: malformed grpc-status %q", r.code)
	}
	if n == 0 {
		return nil
	}
	return rpcerr.New(rpcerr.Code(n), r.message)
}

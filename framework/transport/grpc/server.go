package grpc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/rpcerr"
)

// Handler serves unary calls. Messages are bytes: encoding them is up to the handler.
type Handler interface {
	// HandleUnary answers one call to method ("/pkg.Service/Method") with the request's metadata. The
	// returned trailer is sent after the response; an error becomes the call's status (its rpcerr code
	// and message). ctx ends with the call's deadline or when the client cancels.
	HandleUnary(ctx context.Context, method string, md Metadata, req []byte) (resp []byte, trailer Metadata, err error)
}

// UnaryFunc handles calls to one method.
type UnaryFunc func(ctx context.Context, md Metadata, req []byte) (resp []byte, trailer Metadata, err error)

// MethodMap is a Handler routing by method name; unknown methods fail with Unimplemented.
type MethodMap map[string]UnaryFunc

// HandleUnary implements Handler.
func (m MethodMap) HandleUnary(ctx context.Context, method string, md Metadata, req []byte) ([]byte, Metadata, error) {
	if f, ok := m[method]; ok {
		return f(ctx, md, req)
	}
	return nil, nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "unknown method %s", method)
}

// ErrServerClosed is returned by ServeConn once the server has shut down.
var ErrServerClosed = errors.New("grpc: server closed")

// Server serves gRPC calls on connections handed to ServeConn.
type Server struct {
	h   Handler
	cfg Config

	mu       sync.Mutex
	conns    map[*conn]struct{}
	shutdown bool
	wg       sync.WaitGroup
}

// NewServer returns a server passing calls to h.
func NewServer(h Handler, cfg Config) *Server {
	return &Server{h: h, cfg: cfg.normalized(), conns: map[*conn]struct{}{}}
}

// ServeConn serves one connection from its first byte (the client preface) until it closes; it blocks.
// It returns nil when the peer or Shutdown closed the connection, and the protocol error otherwise. rwc
// may be a net.Conn, or a transport.Conn through NewStreamConn.
func (s *Server) ServeConn(rwc io.ReadWriteCloser) error {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		_ = rwc.Close()
		return ErrServerClosed
	}
	s.wg.Add(1)
	defer s.wg.Done()
	br := bufio.NewReaderSize(rwc, 32<<10)
	c := newConn(rwc, br, s.cfg)
	sc := &serverConn{s: s, c: c}
	c.role = sc
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	go c.ctrlLoop()
	err := sc.serve(br)
	if errors.Is(err, io.EOF) || errors.Is(err, errDrained) || errors.Is(err, errClosedByShutdown) {
		err = nil
	}
	return err
}

var errClosedByShutdown = errors.New("grpc: closed by shutdown")

// Shutdown stops taking new calls: every connection gets a GOAWAY, and closes once its calls are done.
// When ctx ends first, the remaining connections are closed at once and ctx's error returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.role.(*serverConn).goAway()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, c := range conns {
			c.close(errClosedByShutdown)
		}
		return ctx.Err()
	}
}

type serverConn struct {
	s       *Server
	c       *conn
	maxPeer atomic.Uint32
}

func (sc *serverConn) idle(id uint32) bool         { return id > sc.maxPeer.Load() }
func (sc *serverConn) lastPeerStream() uint32      { return sc.maxPeer.Load() }
func (sc *serverConn) onGoAway(*http2.GoAwayFrame) {}

func (sc *serverConn) serve(br *bufio.Reader) error {
	c := sc.c
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(br, preface); err != nil {
		c.close(err)
		return err
	}
	if !bytes.Equal(preface, []byte(http2.ClientPreface)) {
		err := errors.New("grpc: bad client preface")
		c.close(err)
		return err
	}
	if err := c.writeSettings(false); err != nil {
		return err
	}
	f, err := c.fr.ReadFrame()
	if err == nil {
		if sf, ok := f.(*http2.SettingsFrame); !ok || sf.IsAck() {
			err = connError{code: http2.ErrCodeProtocol, msg: "first frame is not SETTINGS"}
		} else {
			err = c.onSettings(sf)
		}
	} else {
		err = classifyReadError(err)
	}
	if err == nil {
		err = c.readLoop()
	}
	c.fail(err)
	return err
}

func (sc *serverConn) goAway() {
	c := sc.c
	c.mu.Lock()
	c.draining = true
	empty := len(c.streams) == 0
	c.mu.Unlock()
	_ = c.write(func(fr *http2.Framer) error { return fr.WriteGoAway(sc.maxPeer.Load(), http2.ErrCodeNo, nil) })
	if empty {
		c.close(errDrained)
	}
}

// onHeaders opens a stream for a new call, or takes a client's trailers.
func (sc *serverConn) onHeaders(f *http2.MetaHeadersFrame) error {
	c, id := sc.c, f.StreamID
	if st := c.lookup(id); st != nil {
		if !f.StreamEnded() {
			c.resetStream(st, http2.ErrCodeProtocol, "HEADERS without END_STREAM")
			return nil
		}
		c.endRemote(st)
		return nil
	}
	if id%2 == 0 || id <= sc.maxPeer.Load() {
		return connError{code: http2.ErrCodeProtocol, msg: "HEADERS on a closed or server stream"}
	}
	sc.maxPeer.Store(id)
	c.mu.Lock()
	refuse := c.draining || uint32(len(c.streams)) >= c.cfg.MaxConcurrentStreams
	var st *stream
	if !refuse {
		st = newStream(c, id, c.peerInitWindow)
		c.streams[id] = st
	}
	c.mu.Unlock()
	if refuse {
		c.queue(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, http2.ErrCodeRefusedStream) })
		return nil
	}
	ctx, err := sc.parseRequest(st, f)
	if f.StreamEnded() {
		c.endRemote(st)
	}
	go sc.serveStream(ctx, st, err)
	return nil
}

// parseRequest reads a request's headers into st and returns the call's context.
func (sc *serverConn) parseRequest(st *stream, f *http2.MetaHeadersFrame) (context.Context, error) {
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	var bad error
	md := Metadata{}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, hf := range f.Fields {
		switch hf.Name {
		case ":path":
			st.method = hf.Value
		case ":method":
			if hf.Value != "POST" {
				bad = rpcerr.Errorf(rpcerr.CodeInternal, "grpc: unexpected HTTP method %q", hf.Value)
			}
		case "content-type":
			st.contentType = hf.Value
		case "grpc-encoding":
			st.encoding = hf.Value
		case "grpc-accept-encoding":
			st.acceptGzip = acceptsGzip(hf.Value)
		case "grpc-timeout":
			d, err := decodeTimeout(hf.Value)
			if err != nil {
				bad = rpcerr.Wrap(rpcerr.CodeInternal, err)
			} else {
				ctx, cancel = context.WithTimeout(ctx, d)
			}
		}
		if !md.addField(hf) {
			bad = rpcerr.Errorf(rpcerr.CodeInternal, "grpc: malformed binary header %s", hf.Name)
		}
	}
	st.header = md
	if ct := st.contentType; ct != "application/grpc" && !strings.HasPrefix(ct, "application/grpc+") &&
		!strings.HasPrefix(ct, "application/grpc;") {
		bad = rpcerr.Errorf(rpcerr.CodeInternal, "grpc: invalid content-type %q", ct)
	}
	if f.Truncated {
		bad = rpcerr.New(rpcerr.CodeResourceExhausted, "grpc: header list too large")
	}
	if !strings.HasPrefix(st.method, "/") {
		bad = rpcerr.Errorf(rpcerr.CodeUnimplemented, "grpc: malformed method name %q", st.method)
	}
	ctx, cancel2 := context.WithCancel(ctx)
	st.cancel = func() { cancel2(); cancel() }
	return context.WithValue(ctx, streamKey{}, st), bad
}

type streamKey struct{}

// SetHeader adds md to the response headers of the call served under ctx; it fails outside a handler.
func SetHeader(ctx context.Context, md Metadata) error {
	st, ok := ctx.Value(streamKey{}).(*stream)
	if !ok {
		return errors.New("grpc: SetHeader outside a gRPC handler")
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.sendHeader == nil {
		st.sendHeader = Metadata{}
	}
	for k, v := range md {
		st.sendHeader.Append(k, v...)
	}
	return nil
}

// serveStream runs one call: waits for the request, calls the handler, writes the response.
func (sc *serverConn) serveStream(ctx context.Context, st *stream, bad error) {
	c := sc.c
	defer c.removeStream(st)
	defer st.cancel()
	if bad != nil {
		sc.respond(st, nil, nil, bad)
		return
	}
	select {
	case <-st.ready:
	case <-ctx.Done():
	}
	if st.wasReset() {
		return
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		sc.respond(st, nil, nil, rpcerr.New(rpcerr.CodeDeadlineExceeded, "deadline exceeded"))
		return
	}
	req, err := st.recvUnary(c.cfg.MaxRecvMsgSize)
	if err != nil {
		sc.respond(st, nil, nil, err)
		return
	}
	resp, trailer, err := sc.s.h.HandleUnary(ctx, st.method, st.header, req)
	if st.wasReset() {
		return
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && err == nil {
		err = rpcerr.New(rpcerr.CodeDeadlineExceeded, "deadline exceeded")
	}
	sc.respond(st, resp, trailer, err)
}

// respond writes the response: headers, message and trailers, or trailers only for an error.
func (sc *serverConn) respond(st *stream, resp []byte, trailer Metadata, err error) {
	c := sc.c
	st.mu.Lock()
	hdr, ct, gz := st.sendHeader, st.contentType, st.encoding == "gzip"
	st.mu.Unlock()
	if !strings.HasPrefix(ct, "application/grpc") {
		ct = "application/grpc"
	}
	var msg []byte
	if err == nil {
		msg, err = encodeOut(resp, gz, c.cfg.MaxSendMsgSize)
	}
	fields := []hpack.HeaderField{{Name: ":status", Value: "200"}, {Name: "content-type", Value: ct}}
	if err != nil {
		fields = statusFields(fields, err)
		fields = appendMetadata(appendMetadata(fields, hdr), trailer)
		if c.writeHeaders(st.id, fields, true) != nil {
			return
		}
	} else {
		if gz {
			fields = append(fields, hpack.HeaderField{Name: "grpc-encoding", Value: "gzip"})
		}
		if c.writeHeaders(st.id, appendMetadata(fields, hdr), false) != nil {
			return
		}
		if c.writeData(context.Background(), st, msg, false) != nil {
			return
		}
		if c.writeHeaders(st.id, appendMetadata(statusFields(nil, nil), trailer), true) != nil {
			return
		}
	}
	if !st.hasRemoteEnded() {
		c.writeRST(st.id, http2.ErrCodeNo)
	}
}

// encodeOut frames a message to send, compressing it if asked.
func encodeOut(msg []byte, gz bool, max int) ([]byte, error) {
	if len(msg) > max {
		return nil, rpcerr.Errorf(rpcerr.CodeResourceExhausted,
			"grpc: trying to send message larger than max (%d vs. %d)", len(msg), max)
	}
	if gz {
		z, err := gzipCompress(msg)
		if err != nil {
			return nil, rpcerr.Wrap(rpcerr.CodeInternal, err)
		}
		return appendMessage(make([]byte, 0, prefixLen+len(z)), true, z), nil
	}
	return appendMessage(make([]byte, 0, prefixLen+len(msg)), false, msg), nil
}

// statusFields appends grpc-status and grpc-message for err.
func statusFields(fields []hpack.HeaderField, err error) []hpack.HeaderField {
	code, msg := statusOf(err)
	fields = append(fields, hpack.HeaderField{Name: "grpc-status", Value: strconv.Itoa(int(code))})
	if msg != "" {
		fields = append(fields, hpack.HeaderField{Name: "grpc-message", Value: encodeGrpcMessage(msg)})
	}
	return fields
}

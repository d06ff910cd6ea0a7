package grpc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/internal/workers"
	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
)

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
	sc := &serverConn{s: s, c: c, remote: remoteAddr(rwc)}
	c.role = sc
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	go c.ctrlLoop()
	c.startKeepalive()
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
	remote  net.Addr // the client's address, when the connection knows it
	maxPeer atomic.Uint32
}

func (sc *serverConn) idle(id uint32) bool         { return id > sc.maxPeer.Load() }
func (sc *serverConn) lastPeerStream() uint32      { return sc.maxPeer.Load() }
func (sc *serverConn) onGoAway(*http2.GoAwayFrame) {}
func (sc *serverConn) onEndStream(*stream)         {} // the handler reads io.EOF

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
	last := sc.maxPeer.Load() // under c.mu, as accept records it: every stream up to last is served
	c.mu.Unlock()
	_ = c.writeNow(func(fr *http2.Framer) error { return fr.WriteGoAway(last, http2.ErrCodeNo, nil) })
	if c.drained() {
		c.close(errDrained)
	}
}

// maxRefusedStreams is how many streams in a row a client may open beyond MaxConcurrentStreams before
// the server treats it as a flood and closes the connection.
const maxRefusedStreams = 100

// onHeaders opens a stream for a new call, or takes a client's trailers.
func (sc *serverConn) onHeaders(f *headerBlock) error {
	c, id := sc.c, f.StreamID
	if st := c.lookup(id); st != nil {
		if !f.StreamEnded() {
			c.resetStream(st, http2.ErrCodeProtocol, "HEADERS without END_STREAM")
			return nil
		}
		if code, msg := st.push(nil, 0, true); code != 0 {
			c.resetStream(st, code, msg)
		}
		return nil
	}
	if id%2 == 0 || id <= sc.maxPeer.Load() {
		return connError{code: http2.ErrCodeProtocol, msg: "HEADERS on a closed or server stream"}
	}
	st, err := sc.accept(id)
	if st == nil {
		return err
	}
	ss, bad := sc.newServerStream(st, f)
	if f.StreamEnded() {
		st.push(nil, 0, true)
	}
	calls.Go(callTask{ss: ss, bad: bad})
	return nil
}

// callTask is a call to run: its stream, and why it is refused if it is.
type callTask struct {
	ss  *ServerStream
	bad error
}

// calls runs every server's calls on reused goroutines (see package workers).
var calls = workers.New(func(t callTask) { t.ss.sc.run(t.ss, t.bad) }, 10*time.Second)

// accept counts a new stream, or refuses it beyond MaxConcurrentStreams; a flood of refused streams is
// a connection error.
func (sc *serverConn) accept(id uint32) (*stream, error) {
	c := sc.c
	c.mu.Lock()
	defer c.mu.Unlock()
	sc.maxPeer.Store(id) // with the draining check, under c.mu: a GOAWAY's last stream was accepted
	// Calls reset by the client stop counting at once, but their handlers may still run: bounding those
	// too keeps a client that opens and resets streams in a loop from piling up goroutines.
	if c.draining || uint32(c.open) >= c.cfg.MaxConcurrentStreams || int64(c.running) >= 2*int64(c.cfg.MaxConcurrentStreams) {
		if !c.draining {
			if c.refused++; c.refused > maxRefusedStreams {
				return nil, connError{code: http2.ErrCodeEnhanceYourCalm, msg: "too many streams beyond SETTINGS_MAX_CONCURRENT_STREAMS"}
			}
		}
		c.queue(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, http2.ErrCodeRefusedStream) })
		return nil, nil
	}
	c.refused = 0
	st := newStream(c, id, c.peerInitWindow)
	st.counted = true
	c.open++
	c.running++
	c.streams[id] = st
	return st, nil
}

// parseRequest reads a request's headers into st and ss, and returns the call's context.
func (sc *serverConn) parseRequest(st *stream, ss *ServerStream, f *headerBlock) (context.Context, error) {
	timeout := time.Duration(-1)
	var bad error
	md := metadata.MD{}
	for _, hf := range f.Fields {
		switch hf.Name {
		case ":path":
			ss.method = hf.Value
		case ":method":
			if hf.Value != "POST" {
				bad = rpcerr.Errorf(rpcerr.CodeInternal, "grpc: unexpected HTTP method %q", hf.Value)
			}
		case "content-type":
			ss.contentType = hf.Value
		case "grpc-encoding":
			st.encoding = hf.Value
		case "grpc-timeout":
			d, err := decodeTimeout(hf.Value)
			if err != nil {
				bad = rpcerr.Wrap(rpcerr.CodeInternal, err)
				d = -1
			}
			timeout = d
		}
		if !addField(md, hf) {
			bad = rpcerr.Errorf(rpcerr.CodeInternal, "grpc: malformed binary header %s", hf.Name)
		}
	}
	st.header = md
	ss.gz = st.encoding == "gzip"
	if err := checkRequest(ss, f.Truncated); err != nil {
		bad = err
	}
	var ctx context.Context
	if timeout >= 0 {
		ctx, st.cancel = context.WithTimeout(context.Background(), timeout)
	} else {
		ctx, st.cancel = context.WithCancel(context.Background())
	}
	return ctx, bad
}

// checkRequest validates a request's content-type and method, and that its headers were complete.
func checkRequest(ss *ServerStream, truncated bool) error {
	switch {
	case !strings.HasPrefix(ss.method, "/"):
		return rpcerr.Errorf(rpcerr.CodeUnimplemented, "grpc: malformed method name %q", ss.method)
	case truncated:
		return rpcerr.New(rpcerr.CodeResourceExhausted, "grpc: header list too large")
	case !isGrpcContentType(ss.contentType):
		return rpcerr.Errorf(rpcerr.CodeInternal, "grpc: invalid content-type %q", ss.contentType)
	}
	return nil
}

// isGrpcContentType reports whether ct is application/grpc or one of its subtypes.
func isGrpcContentType(ct string) bool {
	return ct == "application/grpc" || strings.HasPrefix(ct, "application/grpc+") ||
		strings.HasPrefix(ct, "application/grpc;")
}

// encodeOut checks a message to send against max and compresses it if asked; it returns the payload
// and the prefix's compressed flag.
func encodeOut(msg []byte, gz bool, max int) ([]byte, byte, error) {
	if len(msg) > max {
		return nil, 0, rpcerr.Errorf(rpcerr.CodeResourceExhausted,
			"grpc: trying to send message larger than max (%d vs. %d)", len(msg), max)
	}
	if !gz {
		return msg, 0, nil
	}
	z, err := gzipCompress(msg)
	if err != nil {
		return nil, 0, rpcerr.Wrap(rpcerr.CodeInternal, err)
	}
	return z, 1, nil
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

package grpc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/rpcerr"
)

// connError is an HTTP/2 connection error: the connection ends with a GOAWAY carrying code.
type connError struct {
	code http2.ErrCode
	msg  string
}

func (e connError) Error() string { return fmt.Sprintf("grpc: connection error %v: %s", e.code, e.msg) }

var errStreamClosed = errors.New("grpc: stream closed")

// role is what differs between the client and the server end of a connection.
type role interface {
	onHeaders(hb *headerBlock) error
	// onEndStream runs when the peer has ended its side of st.
	onEndStream(st *stream)
	onGoAway(f *http2.GoAwayFrame)
	// idle reports whether stream id was never opened.
	idle(id uint32) bool
	// lastPeerStream is the stream id to report in a GOAWAY.
	lastPeerStream() uint32
}

// conn is the HTTP/2 machinery shared by both ends: framing, the write lock, flow control, and the
// reader's dispatch of frames to streams.
type conn struct {
	rwc  io.ReadWriteCloser
	cfg  Config
	role role

	wmu     sync.Mutex // the write lock: guards fr's writing side, out, henc, hbuf, scratch
	fr      *http2.Framer
	out     outBuf // frames not yet sent (see write.go)
	henc    *hpack.Encoder
	hbuf    bytes.Buffer
	scratch [16]byte
	fmu     sync.Mutex // serializes writes to rwc; taken after wmu
	spare   []byte     // guarded by fmu: the buffer out takes next

	peerMaxFrame atomic.Uint32

	mu             sync.Mutex
	cond           *sync.Cond
	streams        map[uint32]*stream
	sendWindow     int64
	peerInitWindow int64
	peerMaxStreams uint32
	peerSettings   bool // the peer's first SETTINGS arrived
	open           int  // server: streams counted against MaxConcurrentStreams
	running        int  // server: calls whose handler or final frames are still running
	refused        int  // server: streams refused in a row
	draining       bool
	err            error

	// owned by the reader
	r           io.Reader // what fr reads from
	hr          headerReader
	hpayload    []byte // a HEADERS frame's payload
	recvWindow  int64
	recvUnacked int64

	ctrlMu sync.Mutex
	ctrlQ  []func(*http2.Framer) error
	// ctrlSpare is the queue's other backing array; guarded by wmu.
	ctrlSpare []func(*http2.Framer) error
	ctrlSig   chan struct{}

	activity atomic.Bool   // a frame arrived since the keepalive loop last looked
	pingAck  chan struct{} // the peer acknowledged a keepalive PING

	done      chan struct{}
	closeOnce sync.Once
}

func newConn(rwc io.ReadWriteCloser, r io.Reader, cfg Config) *conn {
	c := &conn{
		rwc: rwc, cfg: cfg, streams: map[uint32]*stream{},
		sendWindow:     defaultWindow,
		peerInitWindow: defaultWindow,
		peerMaxStreams: ^uint32(0),
		recvWindow:     defaultWindow,
		ctrlSig:        make(chan struct{}, 1),
		pingAck:        make(chan struct{}, 1),
		done:           make(chan struct{}),
	}
	c.cond = sync.NewCond(&c.mu)
	c.out.c, c.r = c, r
	c.fr = http2.NewFramer(&c.out, r)
	c.hr.init(cfg.MaxHeaderListSize) // header blocks are decoded by c.hr, not by the Framer
	c.fr.SetReuseFrames()            // DATA payloads are copied out by the reader
	c.fr.MaxHeaderListSize = cfg.MaxHeaderListSize
	c.fr.SetMaxReadFrameSize(16384) // the SETTINGS_MAX_FRAME_SIZE default, which this side advertises
	c.henc = hpack.NewEncoder(&c.hbuf)
	c.peerMaxFrame.Store(16384)
	return c
}

// writeSettings writes this side's SETTINGS and enlarges the connection window.
func (c *conn) writeSettings(client bool) error {
	settings := []http2.Setting{
		{ID: http2.SettingInitialWindowSize, Val: uint32(c.cfg.InitialWindowSize)},
		{ID: http2.SettingMaxHeaderListSize, Val: c.cfg.MaxHeaderListSize},
	}
	if client {
		settings = append(settings, http2.Setting{ID: http2.SettingEnablePush, Val: 0})
	} else {
		settings = append(settings, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: c.cfg.MaxConcurrentStreams})
	}
	inc := int64(c.cfg.InitialConnWindowSize) - defaultWindow
	c.recvWindow += inc
	return c.write(func(fr *http2.Framer) error {
		if err := fr.WriteSettings(settings...); err != nil {
			return err
		}
		if inc > 0 {
			return fr.WriteWindowUpdate(0, uint32(inc))
		}
		return nil
	})
}

// queue sends a control frame from the reader without blocking it.
func (c *conn) queue(fn func(*http2.Framer) error) {
	c.ctrlMu.Lock()
	c.ctrlQ = append(c.ctrlQ, fn)
	c.ctrlMu.Unlock()
	c.kick()
}

// kick wakes the control loop, which flushes whatever is buffered.
func (c *conn) kick() {
	select {
	case c.ctrlSig <- struct{}{}:
	default:
	}
}

// ctrlLoop writes the queued control frames and sends every batch of frames (see write.go) until the
// connection closes.
func (c *conn) ctrlLoop() {
	for {
		select {
		case <-c.ctrlSig:
		case <-c.done:
			return
		}
		// Goroutines made runnable together (say, the handlers of requests read in one go) write their
		// frames before this one sends: one write then carries them all.
		runtime.Gosched()
		if c.lockWrite() != nil {
			return
		}
		if c.sendLocked(c.writeQueuedLocked()) != nil {
			return
		}
	}
}

// writeQueuedLocked writes the queued control frames into the batch; the write lock must be held. The
// queue's two backing arrays take turns, so that queueing allocates nothing once they have grown.
func (c *conn) writeQueuedLocked() error {
	c.ctrlMu.Lock()
	q := c.ctrlQ
	c.ctrlQ = c.ctrlSpare[:0]
	c.ctrlMu.Unlock()
	var err error
	for i, fn := range q {
		if err == nil {
			err = fn(c.fr)
		}
		q[i] = nil
	}
	c.ctrlSpare = q[:0]
	return err
}

func (c *conn) writeRST(id uint32, code http2.ErrCode) {
	_ = c.write(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, code) })
}

func (c *conn) lookup(id uint32) *stream {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streams[id]
}

// forget removes st from the connection's streams: it may no longer send, and a server no longer counts
// it. It reports whether a draining connection has nothing left to do, so that the caller closes it.
func (c *conn) forget(st *stream) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.streams, st.id)
	c.uncountLocked(st)
	st.sendClosed = true
	c.cond.Broadcast()
	return c.draining && len(c.streams) == 0 && c.running == 0
}

// uncountLocked stops counting st against the server's MaxConcurrentStreams.
func (c *conn) uncountLocked(st *stream) {
	if st.counted {
		st.counted = false
		c.open--
		c.cond.Broadcast()
	}
}

var errDrained = errors.New("grpc: connection drained")

// drained reports whether a draining connection has no call left, so that it may close.
func (c *conn) drained() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.draining && len(c.streams) == 0 && c.running == 0
}

func (c *conn) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closedErrLocked()
}

func (c *conn) closedErrLocked() error {
	if c.err == nil {
		return nil
	}
	return rpcerr.Wrap(rpcerr.CodeUnavailable, c.err)
}

// close ends the connection and fails every stream. A drained connection sends its last frames first.
func (c *conn) close(err error) {
	if err == errDrained {
		_ = c.flush()
	}
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.err = err
		streams := c.streams
		c.streams = map[uint32]*stream{}
		c.cond.Broadcast()
		c.mu.Unlock()
		close(c.done)
		_ = c.rwc.Close()
		// Wait for a write under way (which the Close above makes fail fast): the connection's owner
		// frees a netpoll connection's buffers once ServeConn returns, and a GOAWAY written by Shutdown
		// from another goroutine must not touch them then. Later writers see done and stay away.
		c.wmu.Lock()
		c.fmu.Lock()
		c.fmu.Unlock()
		c.wmu.Unlock()
		for _, st := range streams {
			st.fail(rpcerr.Wrap(rpcerr.CodeUnavailable, err))
		}
	})
}

// fail ends the connection after a read error, with a GOAWAY first for a protocol violation.
func (c *conn) fail(err error) {
	var ce connError
	if errors.As(err, &ce) {
		sent := make(chan struct{})
		go func() {
			defer close(sent)
			_ = c.writeNow(func(fr *http2.Framer) error {
				return fr.WriteGoAway(c.role.lastPeerStream(), ce.code, []byte(ce.msg))
			})
		}()
		select {
		case <-sent:
		case <-time.After(time.Second):
		}
	}
	c.close(err)
}

// readLoop reads and dispatches frames until the connection fails.
func (c *conn) readLoop() error {
	for {
		fh, err := c.fr.ReadFrameHeader()
		if err == nil && fh.Type == http2.FrameHeaders {
			if err := c.readHeaders(fh); err != nil {
				return classifyReadError(err)
			}
			c.activity.Store(true)
			if c.queued() > maxQueuedControlFrames {
				return connError{code: http2.ErrCodeEnhanceYourCalm, msg: "too many control frames unanswered"}
			}
			continue
		}
		var f http2.Frame
		if err == nil {
			f, err = c.fr.ReadFrameForHeader(fh)
		}
		if err != nil {
			var se http2.StreamError
			if errors.As(err, &se) {
				c.streamError(se)
				continue
			}
			return classifyReadError(err)
		}
		c.activity.Store(true)
		if err := c.dispatch(f); err != nil {
			return err
		}
		if c.queued() > maxQueuedControlFrames {
			return connError{code: http2.ErrCodeEnhanceYourCalm, msg: "too many control frames unanswered"}
		}
	}
}

// streamError resets the stream of a stream error.
func (c *conn) streamError(se http2.StreamError) {
	if st := c.lookup(se.StreamID); st != nil {
		c.resetStream(st, se.Code, se.Error())
	} else {
		c.queue(func(fr *http2.Framer) error { return fr.WriteRSTStream(se.StreamID, se.Code) })
	}
}

// maxQueuedControlFrames bounds the frames (pings, settings acks, resets) queued for a peer that sends
// them faster than it reads the answers.
const maxQueuedControlFrames = 10000

func (c *conn) queued() int {
	c.ctrlMu.Lock()
	defer c.ctrlMu.Unlock()
	return len(c.ctrlQ)
}

func classifyReadError(err error) error {
	var ce http2.ConnectionError
	switch {
	case errors.As(err, &ce):
		return connError{code: http2.ErrCode(ce), msg: err.Error()}
	case errors.Is(err, http2.ErrFrameTooLarge):
		return connError{code: http2.ErrCodeFrameSize, msg: "frame too large"}
	}
	return err
}

func (c *conn) dispatch(f http2.Frame) error {
	switch f := f.(type) {
	case *http2.HeadersFrame:
		return c.onHeaderFragment(f.StreamID, true, f.StreamEnded(), f.HeadersEnded(), f.HeaderBlockFragment())
	case *http2.ContinuationFrame:
		return c.onHeaderFragment(f.StreamID, false, false, f.HeadersEnded(), f.HeaderBlockFragment())
	case *http2.DataFrame:
		return c.onData(f)
	case *http2.SettingsFrame:
		return c.onSettings(f)
	case *http2.WindowUpdateFrame:
		return c.onWindowUpdate(f)
	case *http2.PingFrame:
		if f.IsAck() {
			c.onPingAck(f.Data)
		} else {
			data := f.Data
			c.queue(func(fr *http2.Framer) error { return fr.WritePing(true, data) })
		}
	case *http2.RSTStreamFrame:
		if st := c.lookup(f.StreamID); st != nil {
			st.fail(st.resetError(f.ErrCode))
			if c.forget(st) {
				c.close(errDrained)
			}
		} else if c.role.idle(f.StreamID) {
			return connError{code: http2.ErrCodeProtocol, msg: "RST_STREAM on an idle stream"}
		}
	case *http2.GoAwayFrame:
		c.role.onGoAway(f)
	case *http2.PushPromiseFrame:
		return connError{code: http2.ErrCodeProtocol, msg: "PUSH_PROMISE not enabled"}
	}
	return nil
}

func (c *conn) onSettings(f *http2.SettingsFrame) error {
	if f.IsAck() {
		return nil
	}
	err := f.ForeachSetting(func(s http2.Setting) error {
		if err := s.Valid(); err != nil {
			return err
		}
		switch s.ID {
		case http2.SettingInitialWindowSize:
			return c.setPeerInitWindow(int64(s.Val))
		case http2.SettingMaxFrameSize:
			c.peerMaxFrame.Store(s.Val)
		case http2.SettingMaxConcurrentStreams:
			c.mu.Lock()
			c.peerMaxStreams = s.Val
			c.mu.Unlock()
		case http2.SettingHeaderTableSize:
			v := s.Val
			c.queue(func(*http2.Framer) error { c.henc.SetMaxDynamicTableSizeLimit(v); return nil })
		}
		return nil
	})
	if err != nil {
		return classifyReadError(err)
	}
	c.mu.Lock()
	c.peerSettings = true
	c.cond.Broadcast()
	c.mu.Unlock()
	c.queue(func(fr *http2.Framer) error { return fr.WriteSettingsAck() })
	return nil
}

func (c *conn) setPeerInitWindow(v int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delta := v - c.peerInitWindow
	c.peerInitWindow = v
	for _, st := range c.streams {
		st.sendWindow += delta
		if st.sendWindow > maxWindow {
			return connError{code: http2.ErrCodeFlowControl, msg: "stream window overflow"}
		}
	}
	c.cond.Broadcast()
	return nil
}

func (c *conn) onWindowUpdate(f *http2.WindowUpdateFrame) error {
	inc := int64(f.Increment)
	c.mu.Lock()
	var overflow *stream
	if f.StreamID == 0 {
		c.sendWindow += inc
		if c.sendWindow > maxWindow {
			c.mu.Unlock()
			return connError{code: http2.ErrCodeFlowControl, msg: "connection window overflow"}
		}
	} else if st := c.streams[f.StreamID]; st != nil {
		if st.sendWindow += inc; st.sendWindow > maxWindow {
			overflow = st
		}
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	if overflow != nil {
		c.resetStream(overflow, http2.ErrCodeFlowControl, "stream window overflow")
	}
	return nil
}

func (c *conn) onData(f *http2.DataFrame) error {
	n := int64(f.Header().Length)
	c.recvWindow -= n
	if c.recvWindow < 0 {
		return connError{code: http2.ErrCodeFlowControl, msg: "connection receive window exceeded"}
	}
	if c.recvUnacked += n; c.recvUnacked >= int64(c.cfg.InitialConnWindowSize)/4 {
		inc := uint32(c.recvUnacked)
		c.recvWindow += c.recvUnacked
		c.recvUnacked = 0
		c.queue(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, inc) })
	}
	st := c.lookup(f.StreamID)
	if st == nil {
		if c.role.idle(f.StreamID) {
			return connError{code: http2.ErrCodeProtocol, msg: "DATA on an idle stream"}
		}
		return nil // a stream already finished or reset
	}
	if code, msg := st.push(f.Data(), int(n), f.StreamEnded()); code != 0 {
		c.resetStream(st, code, msg)
		return nil
	}
	if f.StreamEnded() {
		c.role.onEndStream(st)
	}
	return nil
}

// resetStream sends RST_STREAM for a stream error and ends the stream with an Internal error.
func (c *conn) resetStream(st *stream, code http2.ErrCode, msg string) {
	c.resetStreamErr(st, code, rpcerr.Errorf(rpcerr.CodeInternal, "grpc: %s", msg))
}

// resetStreamErr sends RST_STREAM with code and ends the stream with err.
func (c *conn) resetStreamErr(st *stream, code http2.ErrCode, err error) {
	id := st.id
	c.queue(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, code) })
	st.fail(err)
	if c.forget(st) {
		c.close(errDrained)
	}
}

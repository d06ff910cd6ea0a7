package grpc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
	onHeaders(f *http2.MetaHeadersFrame) error
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

	wmu  sync.Mutex // guards fr's writing side, bw, henc, hbuf
	fr   *http2.Framer
	bw   *bufio.Writer
	henc *hpack.Encoder
	hbuf bytes.Buffer

	peerMaxFrame atomic.Uint32

	mu             sync.Mutex
	cond           *sync.Cond
	streams        map[uint32]*stream
	sendWindow     int64
	peerInitWindow int64
	peerMaxStreams uint32
	draining       bool
	err            error

	// owned by the reader
	recvWindow  int64
	recvUnacked int64

	ctrlMu  sync.Mutex
	ctrlQ   []func(*http2.Framer) error
	ctrlSig chan struct{}

	done      chan struct{}
	closeOnce sync.Once
}

func newConn(rwc io.ReadWriteCloser, r io.Reader, cfg Config) *conn {
	c := &conn{
		rwc: rwc, cfg: cfg, streams: map[uint32]*stream{},
		bw:             bufio.NewWriterSize(rwc, 32<<10),
		sendWindow:     defaultWindow,
		peerInitWindow: defaultWindow,
		peerMaxStreams: ^uint32(0),
		recvWindow:     defaultWindow,
		ctrlSig:        make(chan struct{}, 1),
		done:           make(chan struct{}),
	}
	c.cond = sync.NewCond(&c.mu)
	c.fr = http2.NewFramer(c.bw, r)
	c.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
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

// write runs fn under the write lock and flushes; a failure closes the connection.
func (c *conn) write(fn func(*http2.Framer) error) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(fn)
}

func (c *conn) writeLocked(fn func(*http2.Framer) error) error {
	select {
	case <-c.done:
		return c.closedErr()
	default:
	}
	if d := c.cfg.WriteTimeout; d > 0 {
		if dl, ok := c.rwc.(interface{ SetWriteDeadline(time.Time) error }); ok {
			_ = dl.SetWriteDeadline(time.Now().Add(d))
		}
	}
	err := fn(c.fr)
	if err == nil {
		err = c.bw.Flush()
	}
	if err != nil {
		c.close(err)
		return c.closedErr()
	}
	return nil
}

// queue sends a control frame from the reader without blocking it.
func (c *conn) queue(fn func(*http2.Framer) error) {
	c.ctrlMu.Lock()
	c.ctrlQ = append(c.ctrlQ, fn)
	c.ctrlMu.Unlock()
	select {
	case c.ctrlSig <- struct{}{}:
	default:
	}
}

func (c *conn) ctrlLoop() {
	for {
		select {
		case <-c.ctrlSig:
		case <-c.done:
			return
		}
		c.ctrlMu.Lock()
		q := c.ctrlQ
		c.ctrlQ = nil
		c.ctrlMu.Unlock()
		err := c.write(func(fr *http2.Framer) error {
			for _, fn := range q {
				if err := fn(fr); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return
		}
	}
}

// writeHeaders encodes fields into HEADERS and CONTINUATION frames; the write lock must be held.
func (c *conn) writeHeadersLocked(id uint32, fields []hpack.HeaderField, end bool) error {
	return c.writeLocked(func(fr *http2.Framer) error {
		c.hbuf.Reset()
		for _, f := range fields {
			if err := c.henc.WriteField(f); err != nil {
				return err
			}
		}
		block, max := c.hbuf.Bytes(), int(c.peerMaxFrame.Load())
		for first := true; first || len(block) > 0; first = false {
			frag := block[:min(len(block), max)]
			block = block[len(frag):]
			var err error
			if first {
				err = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: frag,
					EndStream: end, EndHeaders: len(block) == 0})
			} else {
				err = fr.WriteContinuation(id, len(block) == 0, frag)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (c *conn) writeHeaders(id uint32, fields []hpack.HeaderField, end bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeHeadersLocked(id, fields, end)
}

// writeData sends data on st within the flow-control windows, waiting for WINDOW_UPDATEs as needed.
func (c *conn) writeData(ctx context.Context, st *stream, data []byte, end bool) error {
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer stop()
	for {
		c.mu.Lock()
		for c.err == nil && !st.sendClosed && ctx.Err() == nil && len(data) > 0 &&
			(c.sendWindow <= 0 || st.sendWindow <= 0) {
			c.cond.Wait()
		}
		switch {
		case c.err != nil:
			c.mu.Unlock()
			return c.closedErr()
		case st.sendClosed:
			c.mu.Unlock()
			return errStreamClosed
		case ctx.Err() != nil:
			c.mu.Unlock()
			return ctx.Err()
		}
		n := int64(min(len(data), int(c.peerMaxFrame.Load())))
		n = min(n, c.sendWindow, st.sendWindow)
		c.sendWindow -= n
		st.sendWindow -= n
		c.mu.Unlock()
		chunk := data[:n]
		data = data[n:]
		last := end && len(data) == 0
		if err := c.write(func(fr *http2.Framer) error { return fr.WriteData(st.id, last, chunk) }); err != nil {
			return err
		}
		if len(data) == 0 {
			return nil
		}
	}
}

func (c *conn) writeRST(id uint32, code http2.ErrCode) {
	_ = c.write(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, code) })
}

func (c *conn) lookup(id uint32) *stream {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streams[id]
}

// removeStream forgets st; a draining connection with no streams left closes.
func (c *conn) removeStream(st *stream) {
	c.mu.Lock()
	delete(c.streams, st.id)
	st.sendClosed = true
	last := c.draining && len(c.streams) == 0
	c.mu.Unlock()
	if last {
		c.close(errDrained)
	}
}

var errDrained = errors.New("grpc: connection drained")

func (c *conn) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		return nil
	}
	return rpcerr.Wrap(rpcerr.CodeUnavailable, c.err)
}

// close ends the connection and fails every stream.
func (c *conn) close(err error) {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.err = err
		streams := c.streams
		c.streams = map[uint32]*stream{}
		c.cond.Broadcast()
		c.mu.Unlock()
		close(c.done)
		_ = c.rwc.Close()
		for _, st := range streams {
			st.fail(rpcerr.Wrap(rpcerr.CodeUnavailable, err), true)
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
			_ = c.write(func(fr *http2.Framer) error {
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
		f, err := c.fr.ReadFrame()
		if err != nil {
			var se http2.StreamError
			if errors.As(err, &se) {
				c.queue(func(fr *http2.Framer) error { return fr.WriteRSTStream(se.StreamID, se.Code) })
				if st := c.lookup(se.StreamID); st != nil {
					st.fail(rpcerr.Errorf(rpcerr.CodeInternal, "grpc: %v", se), true)
				}
				continue
			}
			return classifyReadError(err)
		}
		if err := c.dispatch(f); err != nil {
			return err
		}
	}
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
	case *http2.MetaHeadersFrame:
		return c.role.onHeaders(f)
	case *http2.DataFrame:
		return c.onData(f)
	case *http2.SettingsFrame:
		return c.onSettings(f)
	case *http2.WindowUpdateFrame:
		return c.onWindowUpdate(f)
	case *http2.PingFrame:
		if !f.IsAck() {
			data := f.Data
			c.queue(func(fr *http2.Framer) error { return fr.WritePing(true, data) })
		}
	case *http2.RSTStreamFrame:
		if st := c.lookup(f.StreamID); st != nil {
			st.fail(resetError(f.ErrCode), true)
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
			c.cond.Broadcast()
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
	c.mu.Lock()
	defer c.mu.Unlock()
	inc := int64(f.Increment)
	if f.StreamID == 0 {
		c.sendWindow += inc
		if c.sendWindow > maxWindow {
			return connError{code: http2.ErrCodeFlowControl, msg: "connection window overflow"}
		}
	} else if st := c.streams[f.StreamID]; st != nil {
		st.sendWindow += inc
		if st.sendWindow > maxWindow {
			st.sendClosed = true
			id := st.id
			c.queue(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, http2.ErrCodeFlowControl) })
			go st.fail(rpcerr.New(rpcerr.CodeInternal, "grpc: stream window overflow"), true)
		}
	}
	c.cond.Broadcast()
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
	if st.hasRemoteEnded() {
		c.resetStream(st, http2.ErrCodeStreamClosed, "DATA after END_STREAM")
		return nil
	}
	if st.recvWindow -= n; st.recvWindow < 0 {
		c.resetStream(st, http2.ErrCodeFlowControl, "stream receive window exceeded")
		return nil
	}
	msgs, err := st.parser.feed(f.Data())
	st.deliver(msgs)
	if err != nil {
		st.fail(err, false)
		return nil
	}
	if f.StreamEnded() {
		c.endRemote(st)
		return nil
	}
	if st.recvUnacked += n; st.recvUnacked >= int64(c.cfg.InitialWindowSize)/4 {
		inc, id := uint32(st.recvUnacked), st.id
		st.recvWindow += st.recvUnacked
		st.recvUnacked = 0
		c.queue(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(id, inc) })
	}
	return nil
}

// endRemote closes st's receive side on END_STREAM; called by the reader.
func (c *conn) endRemote(st *stream) {
	if st.parser.pending() {
		st.fail(rpcerr.New(rpcerr.CodeInternal, "grpc: stream ended inside a message"), false)
	}
	st.endRemote()
}

// resetStream sends RST_STREAM for a stream error found by the reader.
func (c *conn) resetStream(st *stream, code http2.ErrCode, msg string) {
	c.queue(func(fr *http2.Framer) error { return fr.WriteRSTStream(st.id, code) })
	st.fail(rpcerr.Errorf(rpcerr.CodeInternal, "grpc: %s", msg), true)
	c.mu.Lock()
	delete(c.streams, st.id)
	c.mu.Unlock()
}

package grpc

import (
	"context"
	"encoding/binary"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// outbound is what a call writes in one go: optional HEADERS, an optional message as DATA, and the end
// of the stream (on the trailers if any, else on the last DATA frame). It is written as far as the
// flow-control windows allow, and resumed once they open.
type outbound struct {
	header  []hpack.HeaderField // HEADERS to write first; nil once written
	msg     []byte              // the message, after its 5-byte prefix
	flag    byte                // the prefix's compressed flag
	hasMsg  bool
	off     int  // bytes of prefix and message written
	end     bool // end the stream
	trailer []hpack.HeaderField
	done    bool
}

func (o *outbound) dataLen() int {
	if !o.hasMsg {
		return 0
	}
	return prefixLen + len(o.msg)
}

// Write coalescing. Writers append whole frames to c.out under the write lock (wmu) and return; the
// control loop (ctrlLoop) sends what has accumulated in one write, so that the frames of every stream
// that had something to send while the last write was under way, or while the loop waited for its
// turn, leave together. Nothing waits on a timer: the loop only yields once to the goroutines that are
// already runnable. The lock order is wmu, then fmu: a writer whose batch outgrows maxPending sends it
// itself, after the write in flight, so memory stays bounded and frames keep their order.

// maxPending is the size of unsent frames beyond which a writer sends them itself.
const maxPending = 64 << 10

// outBuf collects written frames; it is the Framer's writer. Only the holder of wmu writes to it.
type outBuf struct {
	c *conn
	b []byte
}

func (w *outBuf) Write(p []byte) (int, error) {
	if len(w.b) > 0 && len(w.b)+len(p) > maxPending {
		if err := w.c.sendPendingLocked(); err != nil {
			return 0, err
		}
	}
	w.b = append(w.b, p...)
	return len(p), nil
}

// sendPendingLocked sends the unsent frames now, after any write in flight; wmu must be held.
func (c *conn) sendPendingLocked() error {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	err := c.writeRaw(c.out.b)
	c.out.b = c.out.b[:0]
	return err
}

// writeRaw writes b to the connection; fmu must be held.
func (c *conn) writeRaw(b []byte) error {
	if d := c.cfg.WriteTimeout; d > 0 {
		if dl, ok := c.rwc.(interface{ SetWriteDeadline(time.Time) error }); ok {
			_ = dl.SetWriteDeadline(time.Now().Add(d))
		}
	}
	_, err := c.rwc.Write(b)
	return err
}

// flushLocked sends the unsent frames and releases wmu: other writers may append while the write is
// under way. It returns once they are written, and so are the frames of a write already under way
// (the control loop's), which a caller about to close the connection must not lose. The connection is
// not closed on failure; the caller does that.
func (c *conn) flushLocked() error {
	if len(c.out.b) == 0 {
		c.wmu.Unlock()
		c.fmu.Lock() // wait for a write under way
		c.fmu.Unlock()
		return nil
	}
	c.fmu.Lock()
	b := c.out.b
	c.out.b, c.spare = c.spare[:0], nil
	c.wmu.Unlock()
	err := c.writeRaw(b)
	if cap(b) <= 2*maxPending { // keep a buffer of ordinary size for the next swap
		c.spare = b[:0]
	}
	c.fmu.Unlock()
	return err
}

// flush sends the queued control frames and the unsent frames now, for a connection about to close
// (an RST_STREAM refusing a stream must reach the client before the connection ends); a failure
// closes the connection.
func (c *conn) flush() error {
	if err := c.lockWrite(); err != nil {
		return err
	}
	if c.sendLocked(c.writeQueuedLocked()) != nil {
		return c.closedErr()
	}
	return nil
}

// lockWrite takes the write lock for a batch of frames; on success unlockWrite (or flushLocked) must
// follow.
func (c *conn) lockWrite() error {
	c.wmu.Lock()
	select {
	case <-c.done:
		c.wmu.Unlock()
		return c.closedErr()
	default:
	}
	return nil
}

// unlockWrite releases the write lock and has the control loop send the batch soon; err (a failure to
// write the batch) closes the connection.
func (c *conn) unlockWrite(err error) error {
	pending := len(c.out.b) > 0
	c.wmu.Unlock()
	if err != nil {
		c.close(err)
		return c.closedErr()
	}
	if pending {
		c.kick()
	}
	return nil
}

// write runs fn under the write lock; its frames leave with the next batch. A failure closes the
// connection.
func (c *conn) write(fn func(*http2.Framer) error) error {
	if err := c.lockWrite(); err != nil {
		return err
	}
	return c.unlockWrite(fn(c.fr))
}

// writeNow runs fn under the write lock and sends its frames (and all before them) before returning;
// for frames that must be out before the connection closes, such as a GOAWAY.
func (c *conn) writeNow(fn func(*http2.Framer) error) error {
	if err := c.lockWrite(); err != nil {
		return err
	}
	if c.sendLocked(fn(c.fr)) != nil {
		return c.closedErr()
	}
	return nil
}

// sendLocked sends the batch unless err (a failure to write it) is set, and releases the write lock;
// either failure closes the connection and is returned.
func (c *conn) sendLocked(err error) error {
	if err == nil {
		err = c.flushLocked()
	} else {
		c.wmu.Unlock()
	}
	if err != nil {
		c.close(err)
	}
	return err
}

// encodeHeadersLocked writes fields as HEADERS and CONTINUATION frames; the write lock must be held.
func (c *conn) encodeHeadersLocked(id uint32, fields []hpack.HeaderField, end bool) error {
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
			err = c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: frag,
				EndStream: end, EndHeaders: len(block) == 0})
		} else {
			err = c.fr.WriteContinuation(id, len(block) == 0, frag)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeHeadersSoon writes one header block; it leaves with the next batch, so that a message sent right
// after it leaves in the same write.
func (c *conn) writeHeadersSoon(id uint32, fields []hpack.HeaderField) error {
	if err := c.lockWrite(); err != nil {
		return err
	}
	return c.unlockWrite(c.encodeHeadersLocked(id, fields, false))
}

// writeDataFrameLocked writes bytes [o.off, o.off+n) of o's prefixed message as one DATA frame,
// straight into the batch (the Framer would copy the payload once more).
func (c *conn) writeDataFrameLocked(id uint32, o *outbound, n int, end bool) error {
	h := c.scratch[:9]
	h[0], h[1], h[2] = byte(n>>16), byte(n>>8), byte(n)
	h[3], h[4] = byte(http2.FrameData), 0
	if end {
		h[4] = byte(http2.FlagDataEndStream)
	}
	binary.BigEndian.PutUint32(h[5:9], id)
	if o.off < prefixLen && o.hasMsg {
		p := c.scratch[9 : 9+prefixLen]
		p[0] = o.flag
		binary.BigEndian.PutUint32(p[1:], uint32(len(o.msg)))
		k := min(n, prefixLen-o.off)
		h = c.scratch[:9+k]
		copy(h[9:], p[o.off:o.off+k])
	}
	if _, err := c.out.Write(h); err != nil {
		return err
	}
	from := max(o.off-prefixLen, 0)
	to := max(o.off+n-prefixLen, 0)
	if to > from {
		_, err := c.out.Write(o.msg[from:to])
		return err
	}
	return nil
}

// writeOutLocked writes o as far as the windows allow, setting o.done once all of it is written; the
// write lock must be held. errStreamClosed means the stream may no longer send.
func (c *conn) writeOutLocked(st *stream, o *outbound) error {
	if o.header != nil {
		endHere := o.end && !o.hasMsg && o.trailer == nil
		if err := c.encodeHeadersLocked(st.id, o.header, endHere); err != nil {
			return err
		}
		o.header = nil
		if endHere {
			o.done = true
			return nil
		}
	}
	for total := o.dataLen(); o.off < total; {
		n, err := c.take(st, total-o.off)
		if err != nil || n == 0 {
			return err
		}
		last := o.off+n == total
		if err := c.writeDataFrameLocked(st.id, o, n, last && o.end && o.trailer == nil); err != nil {
			return err
		}
		o.off += n
	}
	switch {
	case o.trailer != nil:
		if err := c.encodeHeadersLocked(st.id, o.trailer, true); err != nil {
			return err
		}
	case o.end && !o.hasMsg:
		if err := c.fr.WriteData(st.id, true, nil); err != nil {
			return err
		}
	}
	o.done = true
	return nil
}

// writeOutUnlock writes o as far as the windows allow and releases the write lock. A stream that may no
// longer send gives errStreamClosed (or the connection's error) without failing the connection.
func (c *conn) writeOutUnlock(st *stream, o *outbound) error {
	err := c.writeOutLocked(st, o)
	if err != errStreamClosed {
		return c.unlockWrite(err)
	}
	_ = c.unlockWrite(nil)
	if cerr := c.closedErr(); cerr != nil {
		return cerr
	}
	return errStreamClosed
}

// take reserves up to want bytes (and one frame) of the connection and stream send windows; it returns
// 0 when a window is empty.
func (c *conn) take(st *stream, want int) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || st.sendClosed {
		return 0, errStreamClosed
	}
	n := min(int64(want), int64(c.peerMaxFrame.Load()), c.sendWindow, st.sendWindow)
	if n <= 0 {
		return 0, nil
	}
	c.sendWindow -= n
	st.sendWindow -= n
	return int(n), nil
}

// send writes o on st, waiting for flow-control windows until ctx ends.
func (c *conn) send(ctx context.Context, st *stream, o *outbound) error {
	for {
		if err := c.lockWrite(); err != nil {
			return err
		}
		if err := c.writeOutUnlock(st, o); err != nil || o.done {
			return err
		}
		if err := c.waitWindow(ctx, st); err != nil {
			return err
		}
	}
}

// waitWindow waits until both send windows of st are open.
func (c *conn) waitWindow(ctx context.Context, st *stream) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sendWindow <= 0 || st.sendWindow <= 0 {
		stop := context.AfterFunc(ctx, func() {
			c.mu.Lock()
			c.cond.Broadcast()
			c.mu.Unlock()
		})
		defer stop()
	}
	for c.err == nil && !st.sendClosed && ctx.Err() == nil && (c.sendWindow <= 0 || st.sendWindow <= 0) {
		c.cond.Wait()
	}
	switch {
	case c.err != nil:
		return c.closedErrLocked()
	case st.sendClosed:
		return errStreamClosed
	case ctx.Err() != nil:
		return ctxError(ctx.Err())
	}
	return nil
}

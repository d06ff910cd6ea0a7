package server

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// replyQueue coalesces the replies of a multiplexed connection. Each call encodes its reply into a
// buffer of its own, outside any lock, and appends the buffer to the queue; the call that finds no
// flush under way becomes the flusher. The flusher sends what is queued at once, its own reply
// included, so a lone reply is never delayed; then, with the queue empty, it waits until every call
// read before that moment has begun running (not finished: a handler may block for long), and sends
// the replies queued meanwhile in one more flush, until it finds the queue empty again. On a server
// with one P, where the calls read in one go are runnable but wait for the P, this is what batches:
// the first reply goes out alone, the others of the burst together. With more Ps, replies finishing
// during a flush's syscall also share the next flush, their calls returning at once instead of
// waiting for the write lock. Nothing waits on a timer.
//
// Replies never interleave (each buffer holds one whole message, written in one piece under the
// connection's write lock) and none is lost (a call leaves its buffer behind only while a flusher is
// under way, and the flusher stops only after finding the queue empty under the same lock).
type replyQueue struct {
	mu       sync.Mutex
	pending  []*replyBuf // encoded, not yet handed to the connection
	spare    []*replyBuf // the other backing array, reused in turn with pending
	flushing bool        // a call is sending the queue; others only append

	// Only OnRead adds to dispatched; each call adds to begun when it starts (see awaitDispatched).
	dispatched atomic.Uint64
	begun      atomic.Uint64
	waitFor    atomic.Uint64 // nonzero: the flusher waits for begun to reach it
	wake       chan struct{} // made by the first dispatch; one wake-up for the waiting flusher
}

// dispatch counts a call handed to a worker; it runs on OnRead's goroutine.
func (q *replyQueue) dispatch() {
	if q.wake == nil {
		q.wake = make(chan struct{}, 1)
	}
	q.dispatched.Add(1)
}

// begin counts a dispatched call that started running, and wakes the waiting flusher when it was
// the last one the flusher waits for.
func (q *replyQueue) begin() {
	n := q.begun.Add(1)
	if w := q.waitFor.Load(); w != 0 && n >= w && q.waitFor.CompareAndSwap(w, 0) {
		q.wake <- struct{}{}
	}
}

// awaitDispatched returns once every call dispatched so far has begun.
func (q *replyQueue) awaitDispatched() {
	target := q.dispatched.Load()
	if q.begun.Load() >= target {
		return
	}
	q.waitFor.Store(target)
	if q.begun.Load() >= target && q.waitFor.CompareAndSwap(target, 0) {
		return // reached meanwhile, and no call took the wake-up on itself
	}
	<-q.wake
}

// take returns the queued replies and empties the queue, or returns nil when it is empty; then, when
// last is set, the flusher's turn ends.
func (q *replyQueue) take(last bool) []*replyBuf {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.pending
	if len(batch) == 0 {
		if last {
			q.flushing = false
		}
		return nil
	}
	q.pending = q.spare[:0]
	return batch
}

// recycle takes back a batch's backing array once its buffers are dealt with.
func (q *replyQueue) recycle(batch []*replyBuf) {
	clear(batch)
	q.mu.Lock()
	q.spare = batch[:0]
	q.mu.Unlock()
}

// replyBuf is one encoded reply: a transport.Writer into a growing byte slice. Flush does nothing.
type replyBuf struct{ b []byte }

// Malloc returns n bytes at the end of the buffer. As frame's writers do, callers fill them before
// the next Malloc.
func (r *replyBuf) Malloc(n int) ([]byte, error) {
	at := len(r.b)
	r.b = slices.Grow(r.b, n)[:at+n]
	return r.b[at:], nil
}

// WriteBinary appends p.
func (r *replyBuf) WriteBinary(p []byte) (int, error) {
	r.b = append(r.b, p...)
	return len(p), nil
}

// Flush does nothing: the queue's flusher sends the buffer.
func (r *replyBuf) Flush() error { return nil }

// maxPooledReply is the largest reply buffer kept for reuse; larger ones are left to the GC.
const maxPooledReply = 64 << 10

var replyBufs = sync.Pool{New: func() any { return new(replyBuf) }}

func getReplyBuf() *replyBuf { return replyBufs.Get().(*replyBuf) }

func putReplyBuf(r *replyBuf) {
	if cap(r.b) > maxPooledReply {
		return
	}
	r.b = r.b[:0]
	replyBufs.Put(r)
}

// queueReply encodes a multiplexed call's reply and queues it; if no flush is under way, it sends the
// queue itself (see replyQueue). It returns an error when the reply cannot be encoded or, for the
// flusher, when sending fails (the caller then closes the connection).
func (c *conn) queueReply(cl *call, h *ttheader.Header) error {
	rb := getReplyBuf()
	if err := c.encode(cl, h, rb); err != nil {
		putReplyBuf(rb)
		return err
	}
	q := &c.replies
	q.mu.Lock()
	q.pending = append(q.pending, rb)
	if q.flushing {
		q.mu.Unlock()
		return nil // the flusher sends it with its next batch
	}
	q.flushing = true
	q.mu.Unlock()
	return c.flushReplies()
}

// flushReplies sends the queued replies, a batch per flush, until the queue stays empty once the calls
// read so far have begun. After a failed send the rest is dropped: the connection is being closed.
func (c *conn) flushReplies() error {
	q := &c.replies
	var err error
	for {
		batch := q.take(false)
		if batch == nil {
			q.awaitDispatched() // the calls read with this one reply meanwhile, if they are quick
			if batch = q.take(true); batch == nil {
				return err
			}
		}
		err = c.sendReplies(batch, err)
		q.recycle(batch)
	}
}

// sendReplies writes a batch of encoded replies to the connection and flushes once, unless an earlier
// batch failed (prev) or netpoll is closing the connection. It returns the buffers to their pool
// unless the connection may still refer to them (a failed send).
func (c *conn) sendReplies(batch []*replyBuf, prev error) (err error) {
	sent := false
	if prev == nil {
		sent, err = c.writeBatch(batch)
	}
	if !sent || err == nil {
		for _, rb := range batch {
			putReplyBuf(rb)
		}
	}
	if prev != nil {
		return prev
	}
	return err
}

// writeBatch hands a batch to the connection under the write lock and flushes it; it reports whether
// the bytes reached the connection (not when netpoll is closing it).
func (c *conn) writeBatch(batch []*replyBuf) (sent bool, err error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return false, nil
	}
	for _, rb := range batch {
		if _, err := c.tc.WriteBinary(rb.b); err != nil {
			return true, err
		}
	}
	return true, c.tc.Flush()
}

var _ transport.Writer = (*replyBuf)(nil)

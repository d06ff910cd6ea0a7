package server

import (
	"slices"
	"sync"

	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// replyQueue coalesces the replies of a multiplexed connection. Each call encodes its reply into a
// buffer of its own, outside any lock, and appends the buffer to the queue; the call that finds no
// flush under way becomes the flusher: it takes the write lock, hands every queued buffer to the
// connection and flushes once, and goes on until the queue is empty. Replies that finish while a flush
// is in its syscall therefore go out together in the next one, and their calls return at once instead
// of waiting for the write lock. A lone reply is flushed immediately by its own call: nothing waits on
// a timer or yields, so no reply is ever delayed for the sake of a batch (on a server with one P, where
// nothing else runs during a flush, replies go out one by one as before).
//
// Replies never interleave (each buffer holds one whole message and is written in one piece) and none
// is lost (a call only leaves its buffer behind when a flusher is under way, and the flusher only stops
// after finding the queue empty under the same lock).
type replyQueue struct {
	mu       sync.Mutex
	pending  []*replyBuf // encoded, not yet handed to the connection
	spare    []*replyBuf // the other backing array, reused in turn with pending
	flushing bool        // a call is sending the queue; others only append
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
// queue itself. It returns an error when the reply cannot be encoded or, for the flusher, when sending
// fails (the caller then closes the connection).
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
		return nil // the flusher sends it with the next batch
	}
	q.flushing = true
	q.mu.Unlock()
	return c.flushReplies()
}

// flushReplies sends the queued replies, a batch per flush, until the queue is empty. After a failed
// send the rest is dropped: the connection is being closed.
func (c *conn) flushReplies() error {
	q := &c.replies
	var err error
	for {
		q.mu.Lock()
		batch := q.pending
		if len(batch) == 0 {
			q.flushing = false
			q.mu.Unlock()
			return err
		}
		q.pending = q.spare[:0]
		q.mu.Unlock()

		var sent bool
		if err == nil {
			sent, err = c.sendReplies(batch)
		}
		for i, rb := range batch {
			if !sent || err == nil { // the connection does not refer to the bytes (any more)
				putReplyBuf(rb)
			}
			batch[i] = nil
		}
		q.mu.Lock()
		q.spare = batch[:0]
		q.mu.Unlock()
	}
}

// sendReplies writes a batch of encoded replies to the connection and flushes once; it reports
// whether the bytes were handed to the connection (not when netpoll is closing it).
func (c *conn) sendReplies(batch []*replyBuf) (sent bool, err error) {
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

package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/transport"
)

// muxPool multiplexes calls over a few shared TTHeader connections per address. Requests are written
// under a lock; one reader goroutine per connection matches replies to calls by sequence id.
type muxPool struct {
	sharedPool
	size  int
	dial  connpool.Dialer
	next  atomic.Uint32
	conns map[string][]*sharedSlot[*muxConn] // guarded by mu
}

func newMuxPool(size int, dial connpool.Dialer) *muxPool {
	return &muxPool{size: size, dial: dial, conns: make(map[string][]*sharedSlot[*muxConn])}
}

// muxConn is one shared connection. Only its reader goroutine closes it (netpoll frees a connection's
// buffers in Close, so closing under a reader or writer would crash them); anyone else who wants it gone
// fails it, which interrupts the socket and so ends the reader.
type muxConn struct {
	pool *muxPool
	addr string
	conn transport.Conn
	wmu  sync.Mutex // serialises requests

	mu      sync.Mutex
	pending map[int32]*muxCall
	err     error // once set, the connection takes no more calls
	closed  bool  // the reader has closed conn: it may no longer be interrupted
}

// muxCall is one call waiting for its reply.
type muxCall struct {
	ctx   context.Context
	ri    *rpcinfo.Info
	resp  any
	dl    time.Time
	hasDL bool
	done  chan error
}

var muxCallPool = sync.Pool{New: func() any { return &muxCall{done: make(chan error, 1)} }}

func (p *muxPool) close() error {
	p.mu.Lock()
	p.closed = true
	var all []*muxConn
	for _, list := range p.conns {
		for _, slot := range list {
			if slot.conn != nil {
				all = append(all, slot.conn)
			}
		}
	}
	p.conns = map[string][]*sharedSlot[*muxConn]{}
	p.mu.Unlock()
	for _, mc := range all {
		mc.fail(rpcerr.New(rpcerr.CodeCanceled, "client closed"))
	}
	return nil
}

// get returns a usable connection to addr, dialling one when its slot is empty or dead.
func (p *muxPool) get(ctx context.Context, addr string, timeout time.Duration, maxSize int) (*muxConn, error) {
	idx := int(p.next.Add(1)-1) % p.size
	slotOf := func() *sharedSlot[*muxConn] { return p.slot(addr, idx) }
	dial := func(ctx context.Context) (*muxConn, error) { return p.dialConn(ctx, addr, timeout) }
	discard := func(mc *muxConn) { _ = mc.conn.Close() } // no reader or writer has it yet
	mc, fresh, err := acquire(ctx, &p.sharedPool, slotOf, (*muxConn).usable, dial, discard)
	if fresh {
		go mc.readLoop(maxSize)
	}
	return mc, err
}

// slot returns addr's slot idx, creating it; p.mu must be held.
func (p *muxPool) slot(addr string, idx int) *sharedSlot[*muxConn] {
	list := p.conns[addr]
	if list == nil {
		list = make([]*sharedSlot[*muxConn], p.size)
		for i := range list {
			list[i] = new(sharedSlot[*muxConn])
		}
		p.conns[addr] = list
	}
	return list[idx]
}

func (p *muxPool) dialConn(ctx context.Context, addr string, timeout time.Duration) (*muxConn, error) {
	conn, err := p.dial(ctx, "tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadTimeout(0)
	return &muxConn{pool: p, addr: addr, conn: conn, pending: make(map[int32]*muxCall)}, nil
}

// remove takes mc out of its slot so that new calls dial a fresh connection.
func (p *muxPool) remove(mc *muxConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, slot := range p.conns[mc.addr] {
		if slot.conn == mc {
			slot.conn = nil
		}
	}
}

func (mc *muxConn) usable() bool {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	return mc.err == nil && mc.conn.IsActive()
}

// fail breaks the connection: every waiting call gets err, no call uses it again, and the reader is
// woken so that it closes the connection.
func (mc *muxConn) fail(err error) {
	mc.mu.Lock()
	var pending map[int32]*muxCall
	if mc.err == nil {
		mc.err, pending, mc.pending = err, mc.pending, map[int32]*muxCall{}
	}
	err = mc.err
	if !mc.closed {
		_ = transport.Interrupt(mc.conn)
	}
	mc.mu.Unlock()
	mc.pool.remove(mc)
	for _, call := range pending {
		call.done <- err
	}
}

// readLoop reads replies until the connection fails, handing each to its waiting call; then it closes
// the connection.
func (mc *muxConn) readLoop(maxSize int) {
	err := mc.readReplies(maxSize)
	mc.fail(err)
	mc.mu.Lock()
	mc.closed = true
	mc.mu.Unlock()
	mc.wmu.Lock() // no writer may be inside the buffers Close frees
	_ = mc.conn.Close()
	mc.wmu.Unlock()
}

func (mc *muxConn) readReplies(maxSize int) error {
	var msg frame.Message
	for {
		if err := frame.Read(mc.conn, maxSize, &msg); err != nil {
			return rpcerr.Errorf(rpcerr.CodeUnavailable, "connection to %s lost: %w", mc.addr, err)
		}
		seq, err := msg.SeqID()
		if err != nil {
			_ = mc.conn.Release()
			return rpcerr.Errorf(rpcerr.CodeInternal, "unreadable reply from %s: %v", mc.addr, err)
		}
		mc.mu.Lock()
		call := mc.pending[seq]
		delete(mc.pending, seq)
		mc.mu.Unlock()
		if call == nil { // the call gave up (timeout, cancel) before its reply came
			_ = mc.conn.Release()
			continue
		}
		status, err := decodeReply(call.ctx, &msg, call.ri, call.resp)
		_ = mc.conn.Release()
		call.done <- lateError(err, call.ri, call.dl, call.hasDL)
		switch status {
		case replyBroken:
			return rpcerr.Errorf(rpcerr.CodeInternal, "bad reply from %s: %v", mc.addr, err)
		case replyReset:
			mc.pool.remove(mc) // the server is stopping: finish what is in flight, start nothing new
		}
	}
}

func (p *muxPool) roundTrip(ctx context.Context, c *client, addr string, ri *rpcinfo.Info, req, resp any) error {
	dl, hasDL := deadline(ctx, ri)
	mc, err := p.get(ctx, addr, c.connectTimeout(ctx), c.cfg.maxFrameSize)
	if err != nil {
		return dialError(ctx, addr, err)
	}
	c.connected(ctx, addr)
	call := muxCallPool.Get().(*muxCall)
	call.ctx, call.ri, call.resp, call.dl, call.hasDL = ctx, ri, resp, dl, hasDL
	defer func() {
		call.ctx, call.ri, call.resp = nil, nil, nil
		muxCallPool.Put(call)
	}()
	seq := ri.SeqID()
	if !ri.Oneway() {
		mc.mu.Lock()
		if mc.err != nil {
			err := mc.err
			mc.mu.Unlock()
			return notSent(err)
		}
		if _, dup := mc.pending[seq]; dup {
			mc.mu.Unlock()
			return rpcerr.Errorf(rpcerr.CodeInternal, "sequence id %d is already waiting for a reply on this connection", seq)
		}
		mc.pending[seq] = call
		mc.mu.Unlock()
	}
	if err := mc.send(ctx, c, ri, req, dl, hasDL); err != nil {
		if !ri.Oneway() && !mc.forget(seq) {
			<-call.done // the failing connection answered the call too; the send error says more
		}
		return err
	}
	c.requestWritten(ctx)
	if ri.Oneway() {
		return nil
	}
	var timeout <-chan time.Time
	if hasDL {
		t := time.NewTimer(time.Until(dl))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case err := <-call.done:
		c.responseRead(ctx)
		return err
	case <-ctx.Done():
		if mc.forget(seq) {
			return contextError(ctx, ctx.Err())
		}
	case <-timeout:
		if mc.forget(seq) {
			return timeoutError(ri)
		}
	}
	return <-call.done // the reply arrived as the call gave up: take it
}

// send writes one request; a failed write breaks the connection.
func (mc *muxConn) send(ctx context.Context, c *client, ri *rpcinfo.Info, req any, dl time.Time, hasDL bool) error {
	err := mc.write(ctx, c, ri, req, dl, hasDL)
	if err == nil {
		return nil
	}
	if err == errTimedOut {
		return timeoutError(ri)
	}
	if errors.Is(err, errConnFailed) { // the connection failed before this request was written
		return notSent(err)
	}
	switch rpcerr.CodeOf(err) {
	case rpcerr.CodeResourceExhausted, rpcerr.CodeInvalidArgument: // refused before writing: the connection is fine
		return err
	case rpcerr.CodeInternal: // encoding failed half-way: the connection holds a partial request
		mc.fail(rpcerr.Errorf(rpcerr.CodeUnavailable, "connection to %s dropped after a failed encode", mc.addr))
		return err
	}
	err = rpcerr.Errorf(rpcerr.CodeUnavailable, "send request to %s: %w", mc.addr, err)
	mc.fail(err)
	return err
}

// write encodes and flushes one request under the write lock, unless the connection has failed (it
// may then be closed).
func (mc *muxConn) write(ctx context.Context, c *client, ri *rpcinfo.Info, req any, dl time.Time, hasDL bool) error {
	b := getBuffers()
	defer putBuffers(b)
	mc.wmu.Lock()
	defer mc.wmu.Unlock()
	mc.mu.Lock()
	failed := mc.err
	mc.mu.Unlock()
	if failed != nil {
		return fmt.Errorf("%w: %w", errConnFailed, failed)
	}
	if err := setTimeout(mc.conn.SetWriteTimeout, dl, hasDL); err != nil {
		return err
	}
	return c.writeRequest(ctx, mc.conn, &b.hdr, ri, req)
}

// errConnFailed marks a request not written because its connection had already failed.
var errConnFailed = errors.New("connection failed before the request was sent")

// forget removes a waiting call; false means the reader (or fail) already took it and will answer.
func (mc *muxConn) forget(seq int32) bool {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if _, ok := mc.pending[seq]; ok {
		delete(mc.pending, seq)
		return true
	}
	return false
}

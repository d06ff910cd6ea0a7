package client

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/transport"
)

// muxPool multiplexes calls over a few shared TTHeader connections per address. Requests are written
// under a lock; one reader goroutine per connection matches replies to calls by sequence id.
type muxPool struct {
	size int
	dial connpool.Dialer
	next atomic.Uint32

	mu     sync.Mutex
	conns  map[string][]*muxConn
	closed bool
}

func newMuxPool(size int, dial connpool.Dialer) *muxPool {
	return &muxPool{size: size, dial: dial, conns: make(map[string][]*muxConn)}
}

// muxConn is one shared connection.
type muxConn struct {
	pool *muxPool
	addr string
	conn transport.Conn
	wmu  sync.Mutex // serialises requests

	mu      sync.Mutex
	pending map[int32]*muxCall
	err     error // once set, the connection takes no more calls
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
		for _, mc := range list {
			if mc != nil {
				all = append(all, mc)
			}
		}
	}
	p.conns = map[string][]*muxConn{}
	p.mu.Unlock()
	for _, mc := range all {
		mc.fail(rpcerr.New(rpcerr.CodeCanceled, "client closed"))
	}
	return nil
}

// get returns a usable connection to addr, dialling one when its slot is empty or dead.
func (p *muxPool) get(ctx context.Context, addr string, timeout time.Duration, maxSize int) (*muxConn, error) {
	slot := int(p.next.Add(1)-1) % p.size
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, rpcerr.New(rpcerr.CodeCanceled, "client closed")
	}
	list := p.conns[addr]
	if slot < len(list) && list[slot] != nil && list[slot].usable() {
		mc := list[slot]
		p.mu.Unlock()
		return mc, nil
	}
	p.mu.Unlock()

	conn, err := p.dial(ctx, "tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadTimeout(0)
	mc := &muxConn{pool: p, addr: addr, conn: conn, pending: make(map[int32]*muxCall)}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = conn.Close()
		return nil, rpcerr.New(rpcerr.CodeCanceled, "client closed")
	}
	list = p.conns[addr]
	for len(list) <= slot {
		list = append(list, nil)
	}
	if cur := list[slot]; cur != nil && cur.usable() {
		p.mu.Unlock() // another call dialled this slot meanwhile: use theirs
		_ = conn.Close()
		return cur, nil
	}
	list[slot] = mc
	p.conns[addr] = list
	p.mu.Unlock()
	go mc.readLoop(maxSize)
	return mc, nil
}

// remove takes mc out of its slot so that new calls dial a fresh connection.
func (p *muxPool) remove(mc *muxConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, cur := range p.conns[mc.addr] {
		if cur == mc {
			p.conns[mc.addr][i] = nil
		}
	}
}

func (mc *muxConn) usable() bool {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	return mc.err == nil && mc.conn.IsActive()
}

// fail breaks the connection: every waiting call gets err, and no call uses it again.
func (mc *muxConn) fail(err error) {
	mc.mu.Lock()
	if mc.err != nil {
		mc.mu.Unlock()
		return
	}
	mc.err = err
	pending := mc.pending
	mc.pending = map[int32]*muxCall{}
	mc.mu.Unlock()
	mc.pool.remove(mc)
	mc.wmu.Lock() // never close under a write: netpoll frees the buffers being written
	_ = mc.conn.Close()
	mc.wmu.Unlock()
	for _, call := range pending {
		call.done <- err
	}
}

// readLoop reads replies until the connection fails, handing each to its waiting call.
func (mc *muxConn) readLoop(maxSize int) {
	var msg frame.Message
	for {
		if err := frame.Read(mc.conn, maxSize, &msg); err != nil {
			mc.fail(rpcerr.Errorf(rpcerr.CodeUnavailable, "connection to %s lost: %w", mc.addr, err))
			return
		}
		_, _, seq, _, err := thrift.ReadMessageBegin(msg.Payload)
		if err != nil {
			_ = mc.conn.Release()
			mc.fail(rpcerr.Errorf(rpcerr.CodeInternal, "unreadable reply from %s: %v", mc.addr, err))
			return
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
			mc.fail(rpcerr.Errorf(rpcerr.CodeInternal, "bad reply from %s: %v", mc.addr, err))
			return
		case replyReset:
			mc.pool.remove(mc) // the server is stopping: finish what is in flight, start nothing new
		}
	}
}

func (p *muxPool) roundTrip(ctx context.Context, c *client, addr string, ri *rpcinfo.Info, req, resp any) error {
	dl, hasDL := deadline(ctx, ri)
	connectTimeout := c.cfg.connectTimeout
	if co, ok := callOptions(ctx); ok && co.ConnectTimeout > 0 {
		connectTimeout = co.ConnectTimeout
	}
	mc, err := p.get(ctx, addr, connectTimeout, c.cfg.maxFrameSize)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return contextError(ctx, ctxErr)
		}
		if rpcerr.CodeOf(err) == rpcerr.CodeCanceled {
			return err
		}
		return rpcerr.Errorf(rpcerr.CodeUnavailable, "connect to %s: %w", addr, err)
	}
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
			return err
		}
		mc.pending[seq] = call
		mc.mu.Unlock()
	}
	if err := mc.send(ctx, c, ri, req, dl, hasDL); err != nil {
		if mc.forget(seq) || ri.Oneway() {
			return err
		}
		return <-call.done
	}
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
	b := getBuffers()
	defer putBuffers(b)
	mc.wmu.Lock()
	err := setTimeout(mc.conn.SetWriteTimeout, dl, hasDL)
	if err == nil {
		err = c.writeRequest(ctx, mc.conn, &b.hdr, ri, req)
	}
	mc.wmu.Unlock()
	if err == nil {
		return nil
	}
	if err == errTimedOut {
		return timeoutError(ri)
	}
	switch rpcerr.CodeOf(err) {
	case rpcerr.CodeResourceExhausted, rpcerr.CodeInvalidArgument: // refused before writing: the connection is fine
		return err
	}
	err = rpcerr.Errorf(rpcerr.CodeUnavailable, "send request to %s: %w", mc.addr, err)
	mc.fail(err)
	return err
}

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

package client

import (
	"context"
	"errors"
	"time"

	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/transport"
)

// pooled makes each call on a connection of its own, taken from a pool (long or short connections):
// write the request, read the reply, give the connection back.
type pooled struct {
	pool connpool.Pool
}

func (p *pooled) close() error { return p.pool.Close() }

func (p *pooled) roundTrip(ctx context.Context, c *client, addr string, ri *rpcinfo.Info, req, resp any) error {
	dl, hasDL := deadline(ctx, ri)
	conn, err := p.pool.Get(ctx, "tcp", addr, c.connectTimeout(ctx))
	if err != nil {
		return dialError(ctx, addr, err)
	}
	c.connected(ctx, addr)
	b := getBuffers()
	defer putBuffers(b)
	// Cancelling the call interrupts the connection, which fails a read or write under way; this
	// goroutine then discards it. (Closing it from the cancelling goroutine would free buffers in use.)
	stop := func() bool { return true }
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() {
			b.cmu.Lock()
			_ = transport.Interrupt(conn)
			b.cmu.Unlock()
		})
	}
	// done hands the connection back: to be reused only if the call ended cleanly and cancellation
	// did not reach it.
	done := func(reuse bool) {
		if !stop() {
			b.cmu.Lock() // wait until the interruption is over before the connection may close
			b.cmu.Unlock()
			reuse = false
		}
		if reuse && conn.IsActive() {
			_ = p.pool.Put(conn)
		} else {
			_ = p.pool.Discard(conn)
		}
	}

	if err := setTimeout(conn.SetWriteTimeout, dl, hasDL); err != nil {
		done(false)
		return timeoutError(ri)
	}
	if err := c.writeRequest(ctx, conn, &b.hdr, ri, req); err != nil {
		done(false)
		return p.ioError(ctx, ri, dl, hasDL, addr, "send request", err)
	}
	c.requestWritten(ctx)
	if ri.Oneway() {
		done(true)
		return nil
	}
	if err := setTimeout(conn.SetReadTimeout, dl, hasDL); err != nil {
		done(false)
		return timeoutError(ri)
	}
	if err := frame.Read(conn, c.cfg.maxFrameSize, &b.msg); err != nil {
		done(false)
		return p.ioError(ctx, ri, dl, hasDL, addr, "read reply", err)
	}
	c.responseRead(ctx)
	status, err := decodeReply(ctx, &b.msg, ri, resp)
	_ = conn.Release()
	done(status == replyOK)
	return lateError(err, ri, dl, hasDL)
}

// connectTimeout is the call's connect timeout: the per-call option's, else the client's.
func (c *client) connectTimeout(ctx context.Context) time.Duration {
	if co, ok := callOptions(ctx); ok && co.ConnectTimeout > 0 {
		return co.ConnectTimeout
	}
	return c.cfg.connectTimeout
}

// dialError explains a failure to get a connection: the caller's cancellation, the client being
// closed, or the address being unreachable (retryable: nothing was sent).
func dialError(ctx context.Context, addr string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return contextError(ctx, ctxErr)
	}
	if rpcerr.CodeOf(err) == rpcerr.CodeCanceled { // the client is closed
		return err
	}
	return notSent(rpcerr.Errorf(rpcerr.CodeUnavailable, "connect to %s: %w", addr, err))
}

// setTimeout applies the time left before the deadline to a connection timeout setter; it fails when
// no time is left.
func setTimeout(set func(time.Duration) error, dl time.Time, hasDL bool) error {
	if !hasDL {
		return set(0)
	}
	left := time.Until(dl)
	if left <= 0 {
		return errTimedOut
	}
	return set(left)
}

var errTimedOut = errors.New("timed out")

// lateError reports an error reply that arrived after the deadline as the timeout it is to the caller:
// the server gave up (its handler's deadline fired) at the same moment as the client.
func lateError(err error, ri *rpcinfo.Info, dl time.Time, hasDL bool) error {
	if err != nil && hasDL && !time.Now().Before(dl) {
		return timeoutError(ri)
	}
	return err
}

func timeoutError(ri *rpcinfo.Info) error {
	if t := ri.RPCTimeout(); t > 0 {
		return rpcerr.Errorf(rpcerr.CodeDeadlineExceeded, "rpc timeout %v exceeded calling %s.%s", t, ri.Callee().Service, ri.Method())
	}
	return rpcerr.Errorf(rpcerr.CodeDeadlineExceeded, "deadline exceeded calling %s.%s", ri.Callee().Service, ri.Method())
}

// ioError explains a failed read or write: the caller's cancellation, the timeout, or the connection.
func (p *pooled) ioError(ctx context.Context, ri *rpcinfo.Info, dl time.Time, hasDL bool, addr, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return contextError(ctx, ctxErr)
	}
	if hasDL && !time.Now().Before(dl) {
		return timeoutError(ri)
	}
	var re *rpcerr.Error
	if errors.As(err, &re) {
		return re
	}
	return rpcerr.Errorf(rpcerr.CodeUnavailable, "%s to %s: %w", op, addr, err)
}

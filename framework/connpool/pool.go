// Package connpool hands out client connections: a short pool that dials for every call and a long pool
// that keeps idle connections per address for reuse.
//
// A client asks the pool for a connection, makes one call on it, and then gives it back: Put after a
// successful call (the pool may keep it), Discard when the connection must not be reused (an error
// happened on it, or the peer asked for a reset, such as TTHeader's crrst during graceful shutdown).
// Put and Discard take exactly the value Get returned.
//
// The pools hold transport.Conn values from a Dialer; transport/netpoll.Dial is the default one.
package connpool

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
)

// Dialer opens a connection (transport/netpoll.Dial fits).
type Dialer func(ctx context.Context, network, addr string, timeout time.Duration) (transport.Conn, error)

// Pool hands out connections to addresses and takes them back after each call.
type Pool interface {
	// Get returns a connection to addr, reusing an idle one when the pool keeps them.
	Get(ctx context.Context, network, addr string, timeout time.Duration) (transport.Conn, error)
	// Put gives back a connection after a successful call; the pool keeps it idle or closes it.
	Put(conn transport.Conn) error
	// Discard closes a connection that must not be reused (an error happened on it, or the peer asked to
	// reset).
	Discard(conn transport.Conn) error
	// Close closes the idle connections and stops the pool: later Gets fail with ErrPoolClosed and later
	// Puts close the connection. Connections in use stay open until they are put back or discarded.
	Close() error
}

// StatsReporter is the optional capability of a pool to report counters for diagnostics; both pools in
// this package have it.
type StatsReporter interface {
	Stats() PoolStats
}

// Cleaner is the optional capability of a pool to drop the idle connections to one address at once, for
// example when service discovery reports that the instance is gone. LongPool has it.
type Cleaner interface {
	Clean(network, addr string)
}

// Errors returned by the pools, as rpcerr errors; test for them with errors.Is. Dial errors are passed on
// from the Dialer as they are.
var (
	// ErrPoolClosed is returned by Get after Close (code canceled: the client is shutting down, as grpc-go
	// reports a call on a closing connection).
	ErrPoolClosed error = rpcerr.New(rpcerr.CodeCanceled, "connpool: pool is closed")
	// ErrForeignConn is returned by Put and Discard for a connection this pool did not hand out; the
	// connection is closed all the same.
	ErrForeignConn error = rpcerr.New(rpcerr.CodeInternal, "connpool: connection was not obtained from this pool")
	// ErrNotInUse is returned by Put and Discard for a connection that was already put back or discarded.
	ErrNotInUse error = rpcerr.New(rpcerr.CodeInternal, "connpool: connection was already returned to the pool")
)

// PoolStats is a snapshot of a pool's counters. Counters only grow; Idle and IdlePerAddress are the
// current state.
type PoolStats struct {
	// Idle is the number of idle connections held.
	Idle int
	// IdlePerAddress maps each address with idle connections to their count (addresses of different
	// networks that read the same are added together). Nil for a pool that keeps none.
	IdlePerAddress map[string]int
	// Dials counts successful dials; DialErrors counts failed ones.
	Dials, DialErrors uint64
	// Reuses counts Gets served from an idle connection.
	Reuses uint64
	// Discards counts connections closed through Discard.
	Discards uint64
	// Evictions counts connections the pool closed itself: dead or expired idle ones, ones put back over
	// a limit or after Close, and the idle ones Close and Clean dropped.
	Evictions uint64
}

// ShortPool dials a new connection for every Get and closes it on Put and Discard.
type ShortPool struct {
	dial                      Dialer
	closed                    atomic.Bool
	dials, dialErrors, closes atomic.Uint64
}

// NewShortPool returns a pool without reuse: every Get dials with d, and Put and Discard close.
func NewShortPool(d Dialer) *ShortPool {
	return &ShortPool{dial: d}
}

// Get dials addr.
func (p *ShortPool) Get(ctx context.Context, network, addr string, timeout time.Duration) (transport.Conn, error) {
	if p.closed.Load() {
		return nil, ErrPoolClosed
	}
	c, err := p.dial(ctx, network, addr, timeout)
	if err != nil {
		p.dialErrors.Add(1)
		return nil, err
	}
	p.dials.Add(1)
	return c, nil
}

// Put closes conn.
func (p *ShortPool) Put(conn transport.Conn) error {
	if conn == nil {
		return ErrForeignConn
	}
	return conn.Close()
}

// Discard closes conn.
func (p *ShortPool) Discard(conn transport.Conn) error {
	if conn == nil {
		return ErrForeignConn
	}
	p.closes.Add(1)
	return conn.Close()
}

// Close makes later Gets fail; the pool holds nothing else.
func (p *ShortPool) Close() error {
	p.closed.Store(true)
	return nil
}

// Stats reports the dial and discard counters.
func (p *ShortPool) Stats() PoolStats {
	return PoolStats{Dials: p.dials.Load(), DialErrors: p.dialErrors.Load(), Discards: p.closes.Load()}
}

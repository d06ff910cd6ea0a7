package connpool

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/transport"
)

// Connection states; a pooledConn moves between them only by compare-and-swap (or, for an idle one,
// once the pool has taken it off its stack), so Put, Discard and Close act on it exactly once.
const (
	stateInUse  int32 = iota // handed out by Get
	stateIdle                // on an idle stack, or being put back
	stateClosed              // closed; never used again
)

// pooledConn is a connection LongPool dialed, wrapped once for its whole life.
type pooledConn struct {
	transport.Conn
	ap        *addrPool
	idleSince int64 // pool clock when last put back; guarded by ap.mu while on the stack
	state     atomic.Int32
}

// Unwrap returns the connection the pool's Dialer returned.
func (pc *pooledConn) Unwrap() transport.Conn {
	return pc.Conn
}

// Close discards the connection, as the pool's Discard does. Closing a connection that is not in use
// (already put back, discarded or closed) does nothing and reports ErrNotInUse.
func (pc *pooledConn) Close() error {
	if !pc.state.CompareAndSwap(stateInUse, stateClosed) {
		return ErrNotInUse
	}
	pc.ap.pool.discards.Add(1)
	return pc.ap.closeConn(pc)
}

// reusable reports whether an idle connection may be handed out at pool clock now.
func (pc *pooledConn) reusable(now int64, maxIdle time.Duration) bool {
	return now-pc.idleSince <= int64(maxIdle) && pc.IsActive()
}

// addrPool holds one address's idle connections.
type addrPool struct {
	pool *LongPool
	key  addrKey
	// live counts this address's open connections, idle or in use, plus dials under way. It rises only
	// under mu (so the sweeper can see it at zero and retire the address safely) and falls anywhere.
	live atomic.Int64

	mu      sync.Mutex
	idle    []*pooledConn // LIFO stack: the most recently put back is last (idleSince roughly ascending)
	closed  bool          // the pool is closed: keep nothing
	retired bool          // dropped from the pool's address table; look the address up again
}

// closeConn closes pc's underlying connection; pc's state must already be stateClosed.
func (ap *addrPool) closeConn(pc *pooledConn) error {
	ap.live.Add(-1)
	return pc.Conn.Close()
}

// drain takes every idle connection off the stack (for the caller to evict); with closing set, the
// address also stops keeping connections.
func (ap *addrPool) drain(closing bool) []*pooledConn {
	ap.mu.Lock()
	idle := ap.idle
	ap.idle = nil
	if closing {
		ap.closed = true
	}
	ap.mu.Unlock()
	ap.pool.idle.Add(-int64(len(idle)))
	return idle
}

// expire moves the idle connections that are past maxIdle at pool clock now, or no longer open, from
// the stack to out, keeping the others in order.
func (ap *addrPool) expire(now int64, maxIdle time.Duration, out []*pooledConn) []*pooledConn {
	ap.mu.Lock()
	kept := ap.idle[:0]
	for _, pc := range ap.idle {
		if pc.reusable(now, maxIdle) {
			kept = append(kept, pc)
		} else {
			out = append(out, pc)
		}
	}
	removed := len(ap.idle) - len(kept)
	clear(ap.idle[len(kept):])
	ap.idle = kept
	ap.mu.Unlock()
	ap.pool.idle.Add(-int64(removed))
	return out
}

// addrPool returns the stack for key, creating it if needed. The result may be retired by the time the
// caller locks it; the caller then asks addrPoolSlow again.
func (p *LongPool) addrPool(key addrKey) *addrPool {
	if ap := (*p.addrs.Load())[key]; ap != nil {
		return ap
	}
	return p.addrPoolSlow(key)
}

// addrPoolSlow looks key up under the table lock, adding a stack for it if absent.
func (p *LongPool) addrPoolSlow(key addrKey) *addrPool {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := *p.addrs.Load()
	if ap := old[key]; ap != nil {
		return ap
	}
	ap := &addrPool{
		pool:   p,
		key:    key,
		idle:   make([]*pooledConn, 0, min(p.cfg.MaxIdlePerAddress, 16)),
		closed: p.closed.Load(),
	}
	m := make(map[addrKey]*addrPool, len(old)+1)
	maps.Copy(m, old)
	m[key] = ap
	p.addrs.Store(&m)
	return ap
}

// sweepLoop runs the sweeper until Close.
func (p *LongPool) sweepLoop(interval time.Duration) {
	defer close(p.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	var expired []*pooledConn
	var empty []*addrPool
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			expired, empty = p.sweep(expired[:0], empty[:0])
		}
	}
}

// sweep closes expired and dead idle connections and retires addresses left without connections. The
// slices are scratch space, returned for reuse.
func (p *LongPool) sweep(expired []*pooledConn, empty []*addrPool) ([]*pooledConn, []*addrPool) {
	now := p.now()
	aps := *p.addrs.Load()
	for _, ap := range aps {
		expired = ap.expire(now, p.cfg.MaxIdleTimeout, expired)
	}
	for i, pc := range expired {
		p.evict(pc)
		expired[i] = nil
	}
	for _, ap := range aps {
		if ap.live.Load() == 0 {
			empty = append(empty, ap)
		}
	}
	if len(empty) > 0 {
		p.retire(empty)
		clear(empty)
	}
	return expired, empty
}

// retire drops the given addresses from the table if they still have no connections.
func (p *LongPool) retire(aps []*addrPool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := maps.Clone(*p.addrs.Load())
	for _, ap := range aps {
		ap.mu.Lock()
		if ap.live.Load() == 0 && !ap.retired {
			ap.retired = true
			delete(m, ap.key)
		}
		ap.mu.Unlock()
	}
	p.addrs.Store(&m)
}

package connpool

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/transport"
)

// LongPool keeps idle connections per address for reuse.
//
// Each address has a LIFO stack of idle connections under its own mutex: Get takes the most recently
// used one (the one most likely still open and warm), so the oldest sink to the bottom and expire. The
// address table is copy-on-write behind an atomic pointer, so finding an address takes no lock and no
// allocation; Get and Put of a warm connection allocate nothing.
//
// Each connection Get dials is wrapped once in a small struct that remembers its address, when it went
// idle and whether it is in use, so Put and Discard find its stack without a lookup and catch a
// connection given back twice. The wrapper's Close behaves as Discard; its Unwrap method returns the
// dialed connection.
//
// One sweeper goroutine per pool closes idle connections past MaxIdleTimeout or already closed by the
// peer, and forgets addresses that have no connections left. Close stops it; a LongPool that is not
// closed keeps its goroutine and idle connections. Create one with NewLongPool; the zero value is not
// usable.
type LongPool struct {
	dial  Dialer
	cfg   LongPoolConfig
	epoch time.Time // the zero of the pool's idle clock (monotonic)

	addrs atomic.Pointer[map[addrKey]*addrPool] // replaced whole, under mu
	mu    sync.Mutex                            // serialises changes to addrs and to closed

	closed atomic.Bool
	stop   chan struct{} // closed by Close to stop the sweeper
	done   chan struct{} // closed by the sweeper when it returns

	idle                atomic.Int64 // idle connections, all addresses
	reuses              atomic.Uint64
	dials, dialErrors   atomic.Uint64
	discards, evictions atomic.Uint64
}

// addrKey names one address's stack.
type addrKey struct{ network, addr string }

// NewLongPool returns a pool that dials with d and keeps idle connections as cfg allows (zero fields
// take their defaults, see LongPoolConfig). It starts the pool's sweeper goroutine; Close stops it.
func NewLongPool(d Dialer, cfg LongPoolConfig) *LongPool {
	p := &LongPool{
		dial:  d,
		cfg:   cfg.normalized(),
		epoch: time.Now(),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	m := make(map[addrKey]*addrPool)
	p.addrs.Store(&m)
	go p.sweepLoop(p.cfg.sweepInterval())
	return p
}

// Config returns the configuration in force, defaults filled in.
func (p *LongPool) Config() LongPoolConfig {
	return p.cfg
}

// Get returns the most recently used idle connection to addr that is still open and has not been idle
// longer than MaxIdleTimeout, closing the ones it finds dead or expired on the way; with none left it
// dials. The result must go back through Put or Discard (or its own Close, which discards it).
func (p *LongPool) Get(ctx context.Context, network, addr string, timeout time.Duration) (transport.Conn, error) {
	if p.closed.Load() {
		return nil, ErrPoolClosed
	}
	key := addrKey{network, addr}
	ap := p.addrPool(key)
	now := p.now()
	for {
		ap.mu.Lock()
		if ap.retired {
			ap.mu.Unlock()
			ap = p.addrPoolSlow(key)
			continue
		}
		n := len(ap.idle)
		if n == 0 {
			if ap.closed {
				ap.mu.Unlock()
				return nil, ErrPoolClosed
			}
			ap.live.Add(1) // reserved under the lock, so the sweeper cannot retire ap meanwhile
			ap.mu.Unlock()
			return p.dialFor(ctx, ap, timeout)
		}
		pc := ap.idle[n-1]
		ap.idle[n-1] = nil
		ap.idle = ap.idle[:n-1]
		ap.mu.Unlock()
		p.idle.Add(-1)
		if pc.reusable(now, p.cfg.MaxIdleTimeout) {
			pc.state.Store(stateInUse)
			p.reuses.Add(1)
			return pc, nil
		}
		p.evict(pc)
	}
}

// dialFor dials a new connection for ap, whose live count the caller has already raised.
func (p *LongPool) dialFor(ctx context.Context, ap *addrPool, timeout time.Duration) (transport.Conn, error) {
	c, err := p.dial(ctx, ap.key.network, ap.key.addr, timeout)
	if err != nil {
		ap.live.Add(-1)
		p.dialErrors.Add(1)
		return nil, err
	}
	p.dials.Add(1)
	pc := &pooledConn{Conn: c, ap: ap} // state starts as stateInUse
	if p.closed.Load() {
		p.evict(pc)
		return nil, ErrPoolClosed
	}
	return pc, nil
}

// Put keeps conn idle for reuse if it is still open, has no unread input (bytes left over from a call
// mean the stream is out of step) and both MaxIdlePerAddress and MaxIdleGlobal allow; otherwise, or after
// Close, it closes conn. Either way the caller must not use conn again.
//
// Put returns ErrForeignConn (closing conn) for a connection this pool did not hand out and ErrNotInUse
// for one already put back or discarded; nil otherwise, whether kept or closed.
func (p *LongPool) Put(conn transport.Conn) error {
	pc, err := p.own(conn)
	if err != nil {
		return err
	}
	if !pc.state.CompareAndSwap(stateInUse, stateIdle) {
		return ErrNotInUse
	}
	if !pc.IsActive() || pc.Len() > 0 {
		p.evict(pc)
		return nil
	}
	ap := pc.ap
	since := p.now() // read before locking: the clock is the slowest part of Put
	ap.mu.Lock()
	if ap.closed || len(ap.idle) >= p.cfg.MaxIdlePerAddress || !p.reserveIdle() {
		ap.mu.Unlock()
		p.evict(pc)
		return nil
	}
	pc.idleSince = since
	ap.idle = append(ap.idle, pc)
	ap.mu.Unlock()
	return nil
}

// Discard closes conn. It returns ErrForeignConn (closing conn all the same) for a connection this pool
// did not hand out and ErrNotInUse for one already put back or discarded.
func (p *LongPool) Discard(conn transport.Conn) error {
	pc, err := p.own(conn)
	if err != nil {
		return err
	}
	return pc.Close()
}

// own returns conn as one of this pool's connections, or closes it and reports ErrForeignConn.
func (p *LongPool) own(conn transport.Conn) (*pooledConn, error) {
	pc, ok := conn.(*pooledConn)
	if ok && pc.ap.pool == p {
		return pc, nil
	}
	if conn != nil {
		_ = conn.Close() // another pool's connection is discarded through that pool
	}
	return nil, ErrForeignConn
}

// reserveIdle counts one more idle connection if MaxIdleGlobal allows it.
func (p *LongPool) reserveIdle() bool {
	if p.idle.Add(1) > int64(p.cfg.MaxIdleGlobal) {
		p.idle.Add(-1)
		return false
	}
	return true
}

// evict closes a connection the pool took out of use itself.
func (p *LongPool) evict(pc *pooledConn) {
	pc.state.Store(stateClosed)
	p.evictions.Add(1)
	_ = pc.ap.closeConn(pc)
}

// Close stops the sweeper and closes every idle connection; later Gets fail with ErrPoolClosed and
// later Puts close the connection. Connections in use stay open until put back or discarded. Close is
// idempotent.
func (p *LongPool) Close() error {
	p.mu.Lock()
	if p.closed.Load() {
		p.mu.Unlock()
		return nil
	}
	p.closed.Store(true) // under mu: an address created from now on starts closed
	aps := *p.addrs.Load()
	p.mu.Unlock()

	close(p.stop)
	<-p.done
	for _, ap := range aps {
		for _, pc := range ap.drain(true) {
			p.evict(pc)
		}
	}
	return nil
}

// Clean closes the idle connections to one address, for example when discovery reports the instance
// gone. Connections in use are left alone (they close when discarded, or when put back to a peer that
// has hung up).
func (p *LongPool) Clean(network, addr string) {
	ap := (*p.addrs.Load())[addrKey{network, addr}]
	if ap == nil {
		return
	}
	for _, pc := range ap.drain(false) {
		p.evict(pc)
	}
}

// Stats reports the pool's counters and the idle connections per address.
func (p *LongPool) Stats() PoolStats {
	s := PoolStats{
		Idle:       int(p.idle.Load()),
		Dials:      p.dials.Load(),
		DialErrors: p.dialErrors.Load(),
		Reuses:     p.reuses.Load(),
		Discards:   p.discards.Load(),
		Evictions:  p.evictions.Load(),
	}
	for key, ap := range *p.addrs.Load() {
		ap.mu.Lock()
		n := len(ap.idle)
		ap.mu.Unlock()
		if n > 0 {
			if s.IdlePerAddress == nil {
				s.IdlePerAddress = make(map[string]int)
			}
			s.IdlePerAddress[key.addr] += n
		}
	}
	return s
}

// now reads the pool's idle clock, in nanoseconds since epoch.
func (p *LongPool) now() int64 {
	return int64(time.Since(p.epoch))
}

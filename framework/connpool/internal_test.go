package connpool

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/transport"
)

// fakeConn is an in-memory transport.Conn for white-box tests of the pool's bookkeeping.
type fakeConn struct {
	transport.Conn // nil: the I/O methods are never called here
	closed         atomic.Bool
}

func (c *fakeConn) IsActive() bool { return !c.closed.Load() }
func (c *fakeConn) Len() int       { return 0 }
func (c *fakeConn) Close() error   { c.closed.Store(true); return nil }
func (c *fakeConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
}

func fakeDialer(ctx context.Context, network, addr string, timeout time.Duration) (transport.Conn, error) {
	return &fakeConn{}, nil
}

func TestGetSkipsExpiredWithoutSweeper(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := NewLongPool(fakeDialer, LongPoolConfig{MaxIdleTimeout: time.Hour}) // the sweeper stays asleep
	defer p.Close()

	old, _ := p.Get(ctx, "tcp", "a:1", time.Second)
	fresh, _ := p.Get(ctx, "tcp", "a:1", time.Second)
	if err := p.Put(old); err != nil {
		t.Fatal(err)
	}
	if err := p.Put(fresh); err != nil {
		t.Fatal(err)
	}
	// Age both past the timeout, then give the top one (fresh) a recent idle time again.
	ap := old.(*pooledConn).ap
	ap.mu.Lock()
	for _, pc := range ap.idle {
		pc.idleSince -= int64(2 * time.Hour)
	}
	ap.idle[1].idleSince = p.now()
	ap.mu.Unlock()

	if c, _ := p.Get(ctx, "tcp", "a:1", time.Second); c != fresh {
		t.Fatal("Get did not return the fresh idle connection")
	}
	c, _ := p.Get(ctx, "tcp", "a:1", time.Second)
	if c == old {
		t.Fatal("Get returned a connection idle past MaxIdleTimeout")
	}
	if old.(*pooledConn).Conn.IsActive() {
		t.Fatal("expired connection was not closed")
	}
	if st := p.Stats(); st.Dials != 3 || st.Reuses != 1 || st.Evictions != 1 || st.Idle != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSweepRetiresEmptyAddresses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := NewLongPool(fakeDialer, LongPoolConfig{MaxIdleTimeout: time.Hour})
	defer p.Close()

	gone, _ := p.Get(ctx, "tcp", "gone:1", time.Second)
	kept, _ := p.Get(ctx, "tcp", "kept:1", time.Second)
	busy, _ := p.Get(ctx, "tcp", "busy:1", time.Second)
	_ = p.Discard(gone)
	_ = p.Put(kept)
	p.sweep(nil, nil)

	table := *p.addrs.Load()
	if _, ok := table[addrKey{"tcp", "gone:1"}]; ok || len(table) != 2 {
		t.Fatalf("address table after sweep has %d entries (gone:1 present %v), want kept:1 and busy:1", len(table), ok)
	}
	retired := gone.(*pooledConn).ap
	if !retired.retired {
		t.Fatal("the empty address was not marked retired")
	}
	// A Get for a retired address gets a fresh stack, and Put keeps to it.
	c, _ := p.Get(ctx, "tcp", "gone:1", time.Second)
	if c.(*pooledConn).ap == retired {
		t.Fatal("Get used a retired address stack")
	}
	_ = p.Put(c)
	_ = p.Put(busy)
	if st := p.Stats(); st.Idle != 3 || len(st.IdlePerAddress) != 3 {
		t.Fatalf("stats %+v, want one idle connection at each of 3 addresses", st)
	}
}

func TestGetRetriesRetiredAddress(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := NewLongPool(fakeDialer, LongPoolConfig{MaxIdleTimeout: time.Hour})
	defer p.Close()

	stale := p.addrPool(addrKey{"tcp", "a:1"})
	p.retire([]*addrPool{stale})
	if !stale.retired {
		t.Fatal("retire skipped an address without connections")
	}
	c, err := p.Get(ctx, "tcp", "a:1", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.(*pooledConn).ap == stale {
		t.Fatal("Get dialed through a retired address stack")
	}
	if live := c.(*pooledConn).ap.live.Load(); live != 1 {
		t.Fatalf("live = %d, want 1", live)
	}
}

func TestSweepInterval(t *testing.T) {
	tests := []struct {
		timeout, want time.Duration
	}{
		{time.Minute, 30 * time.Second},
		{50 * time.Millisecond, 25 * time.Millisecond},
		{time.Microsecond, time.Millisecond},
	}
	for _, tt := range tests {
		if got := (LongPoolConfig{MaxIdleTimeout: tt.timeout}).sweepInterval(); got != tt.want {
			t.Errorf("sweepInterval(%v) = %v, want %v", tt.timeout, got, tt.want)
		}
	}
}

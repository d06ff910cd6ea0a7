package connpool_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/transport"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

func TestLongPoolReuse(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	var d countingDialer
	p := newLongPool(t, d.dial, connpool.DefaultLongPoolConfig())

	c1 := mustGet(ctx, t, p, srv.addr)
	roundTrip(t, c1, "first")
	mustPut(t, p, c1)
	if got := p.Stats().Idle; got != 1 {
		t.Fatalf("Idle after Put = %d, want 1", got)
	}
	c2 := mustGet(ctx, t, p, srv.addr)
	if c2 != c1 {
		t.Fatal("second Get did not reuse the idle connection")
	}
	roundTrip(t, c2, "second")
	mustPut(t, p, c2)

	st := p.Stats()
	if d.n.Load() != 1 || st.Dials != 1 || st.Reuses != 1 {
		t.Fatalf("dialer calls %d, stats %+v; want 1 dial and 1 reuse", d.n.Load(), st)
	}
	if st.IdlePerAddress[srv.addr] != 1 {
		t.Fatalf("IdlePerAddress = %v, want %s: 1", st.IdlePerAddress, srv.addr)
	}
}

func TestLongPoolLIFO(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	p := newLongPool(t, tnetpoll.Dial, connpool.DefaultLongPoolConfig())

	conns := make([]transport.Conn, 3)
	for i := range conns {
		conns[i] = mustGet(ctx, t, p, srv.addr)
	}
	for _, c := range conns {
		mustPut(t, p, c)
	}
	for i := len(conns) - 1; i >= 0; i-- {
		if c := mustGet(ctx, t, p, srv.addr); c != conns[i] {
			t.Fatalf("Get returned put-back connection out of LIFO order (want #%d)", i)
		}
	}
	if st := p.Stats(); st.Dials != 3 || st.Reuses != 3 || st.Idle != 0 {
		t.Fatalf("stats %+v, want 3 dials, 3 reuses, 0 idle", st)
	}
}

func TestLongPoolLimits(t *testing.T) {
	tests := []struct {
		name        string
		cfg         connpool.LongPoolConfig
		servers     int
		perServer   int
		wantIdle    int
		wantEvicted int
	}{
		{"per address", connpool.LongPoolConfig{MaxIdlePerAddress: 2, MaxIdleGlobal: 100}, 1, 4, 2, 2},
		{"global", connpool.LongPoolConfig{MaxIdlePerAddress: 2, MaxIdleGlobal: 3}, 2, 2, 3, 1},
		{"global raised to per address", connpool.LongPoolConfig{MaxIdlePerAddress: 3, MaxIdleGlobal: 1}, 1, 4, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			p := newLongPool(t, tnetpoll.Dial, tt.cfg)
			var conns []transport.Conn
			for range tt.servers {
				srv := newEchoServer(t)
				for range tt.perServer {
					conns = append(conns, mustGet(ctx, t, p, srv.addr))
				}
			}
			for _, c := range conns {
				mustPut(t, p, c)
			}
			closed := 0
			for _, c := range conns {
				if !underlying(c).IsActive() {
					closed++
				}
			}
			st := p.Stats()
			if st.Idle != tt.wantIdle || closed != tt.wantEvicted || st.Evictions != uint64(tt.wantEvicted) {
				t.Fatalf("idle %d, closed %d, stats %+v; want idle %d, closed %d", st.Idle, closed, st,
					tt.wantIdle, tt.wantEvicted)
			}
		})
	}
}

func TestLongPoolIdleTimeoutSweeper(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	p := newLongPool(t, tnetpoll.Dial, connpool.LongPoolConfig{MaxIdleTimeout: 50 * time.Millisecond})

	c := mustGet(ctx, t, p, srv.addr)
	mustPut(t, p, c)
	waitFor(ctx, t, "the sweeper to close the idle connection", func() bool {
		return p.Stats().Idle == 0 && !underlying(c).IsActive()
	})
	c2 := mustGet(ctx, t, p, srv.addr)
	if c2 == c {
		t.Fatal("Get returned a connection idle past MaxIdleTimeout")
	}
	roundTrip(t, c2, "fresh")
	if st := p.Stats(); st.Dials != 2 || st.Evictions != 1 {
		t.Fatalf("stats %+v, want 2 dials and 1 eviction", st)
	}
}

func TestLongPoolDeadConnection(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	p := newLongPool(t, tnetpoll.Dial, connpool.DefaultLongPoolConfig())

	c := mustGet(ctx, t, p, srv.addr)
	roundTrip(t, c, "hello")
	mustPut(t, p, c)
	srv.next(ctx, t).Close() // the peer hangs up while c is idle
	waitFor(ctx, t, "the client to see the hang-up", func() bool { return !c.IsActive() })

	c2 := mustGet(ctx, t, p, srv.addr)
	if c2 == c {
		t.Fatal("Get returned a connection the peer had closed")
	}
	roundTrip(t, c2, "again")
	if st := p.Stats(); st.Dials != 2 || st.Evictions != 1 || st.Reuses != 0 {
		t.Fatalf("stats %+v, want 2 dials, 1 eviction, 0 reuses", st)
	}
}

func TestLongPoolPutDeadOrDirty(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	p := newLongPool(t, tnetpoll.Dial, connpool.DefaultLongPoolConfig())

	dead := mustGet(ctx, t, p, srv.addr)
	roundTrip(t, dead, "x")
	srv.next(ctx, t).Close()
	waitFor(ctx, t, "the client to see the hang-up", func() bool { return !dead.IsActive() })
	mustPut(t, p, dead)

	dirty := mustGet(ctx, t, p, srv.addr)
	if _, err := dirty.WriteBinary([]byte("unread")); err != nil {
		t.Fatal(err)
	}
	if err := dirty.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the echo to arrive", func() bool { return dirty.Len() == len("unread") })
	mustPut(t, p, dirty)

	if st := p.Stats(); st.Idle != 0 || st.Evictions != 2 {
		t.Fatalf("stats %+v, want nothing kept and 2 evictions", st)
	}
	if underlying(dirty).IsActive() {
		t.Fatal("connection put back with unread input was kept open")
	}
}

func TestLongPoolMisuse(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	p := newLongPool(t, tnetpoll.Dial, connpool.DefaultLongPoolConfig())

	c := mustGet(ctx, t, p, srv.addr)
	mustPut(t, p, c)
	if err := p.Put(c); !errors.Is(err, connpool.ErrNotInUse) {
		t.Fatalf("second Put = %v, want ErrNotInUse", err)
	}
	if err := p.Discard(c); !errors.Is(err, connpool.ErrNotInUse) {
		t.Fatalf("Discard after Put = %v, want ErrNotInUse", err)
	}
	if err := c.Close(); !errors.Is(err, connpool.ErrNotInUse) {
		t.Fatalf("Close after Put = %v, want ErrNotInUse", err)
	}
	if st := p.Stats(); st.Idle != 1 || !underlying(c).IsActive() {
		t.Fatalf("misuse disturbed the idle connection: %+v", st)
	}

	raw, err := tnetpoll.Dial(ctx, "tcp", srv.addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Put(raw); !errors.Is(err, connpool.ErrForeignConn) {
		t.Fatalf("Put of a foreign connection = %v, want ErrForeignConn", err)
	}
	if raw.IsActive() {
		t.Fatal("foreign connection was not closed")
	}

	other := newLongPool(t, tnetpoll.Dial, connpool.DefaultLongPoolConfig())
	oc := mustGet(ctx, t, other, srv.addr)
	if err := p.Discard(oc); !errors.Is(err, connpool.ErrForeignConn) {
		t.Fatalf("Discard of another pool's connection = %v, want ErrForeignConn", err)
	}
	if st := other.Stats(); st.Discards != 1 || underlying(oc).IsActive() {
		t.Fatalf("another pool's connection was not discarded through its pool: %+v", st)
	}
}

func TestLongPoolDiscardAndClose(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	p := newLongPool(t, tnetpoll.Dial, connpool.DefaultLongPoolConfig())

	c1 := mustGet(ctx, t, p, srv.addr)
	c2 := mustGet(ctx, t, p, srv.addr)
	if err := p.Discard(c1); err != nil {
		t.Fatal(err)
	}
	if err := c2.Close(); err != nil { // closing a pooled connection discards it
		t.Fatal(err)
	}
	for i, c := range []transport.Conn{c1, c2} {
		if underlying(c).IsActive() {
			t.Fatalf("connection %d still open after discard", i+1)
		}
	}
	if st := p.Stats(); st.Discards != 2 || st.Idle != 0 {
		t.Fatalf("stats %+v, want 2 discards and nothing idle", st)
	}
	if c := mustGet(ctx, t, p, srv.addr); c == c1 || c == c2 {
		t.Fatal("a discarded connection was handed out again")
	}
}

func TestLongPoolClean(t *testing.T) {
	ctx := testContext(t)
	a, b := newEchoServer(t), newEchoServer(t)
	p := newLongPool(t, tnetpoll.Dial, connpool.DefaultLongPoolConfig())
	ca, cb := mustGet(ctx, t, p, a.addr), mustGet(ctx, t, p, b.addr)
	mustPut(t, p, ca)
	mustPut(t, p, cb)

	p.Clean("tcp", a.addr)
	p.Clean("tcp", "127.0.0.1:1") // unknown address: nothing to do
	st := p.Stats()
	if st.Idle != 1 || st.IdlePerAddress[b.addr] != 1 || underlying(ca).IsActive() || !cb.IsActive() {
		t.Fatalf("after Clean(%s): stats %+v", a.addr, st)
	}
}

func TestLongPoolClose(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	const sweeper, echoer = "connpool.(*LongPool).sweepLoop", "io.Copy"
	sweepersBefore := goroutines(sweeper) // other tests' pools may still be closing

	p := connpool.NewLongPool(tnetpoll.Dial, connpool.LongPoolConfig{MaxIdleTimeout: 10 * time.Millisecond})
	waitFor(ctx, t, "the sweeper to start", func() bool { return goroutines(sweeper) == sweepersBefore+1 })
	idle := []transport.Conn{mustGet(ctx, t, p, srv.addr), mustGet(ctx, t, p, srv.addr)}
	busy := mustGet(ctx, t, p, srv.addr)
	for _, c := range idle {
		mustPut(t, p, c)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
	for i, c := range idle {
		if underlying(c).IsActive() {
			t.Fatalf("idle connection %d still open after Close", i)
		}
	}
	if _, err := p.Get(ctx, "tcp", srv.addr, time.Second); !errors.Is(err, connpool.ErrPoolClosed) {
		t.Fatalf("Get after Close = %v, want ErrPoolClosed", err)
	}
	if !busy.IsActive() {
		t.Fatal("Close closed a connection in use")
	}
	roundTrip(t, busy, "still usable")
	mustPut(t, p, busy)
	if underlying(busy).IsActive() {
		t.Fatal("Put after Close kept the connection open")
	}
	if st := p.Stats(); st.Idle != 0 {
		t.Fatalf("stats after Close %+v, want nothing idle", st)
	}
	// No goroutine is left behind: the sweeper has returned, and the server has seen every connection
	// close (its per-connection echo goroutines end on EOF).
	waitFor(ctx, t, "the sweeper to exit", func() bool { return goroutines(sweeper) <= sweepersBefore })
	waitFor(ctx, t, "the server to see every connection closed", func() bool { return goroutines(echoer) == 0 })
}

func TestLongPoolDialErrors(t *testing.T) {
	ctx := testContext(t)
	p := newLongPool(t, tnetpoll.Dial, connpool.DefaultLongPoolConfig())
	_, err := p.Get(ctx, "tcp", "127.0.0.1:1", time.Second)
	if err == nil || err.Error() != "dial tcp 127.0.0.1:1: connect: connection refused" {
		t.Fatalf("Get = %v, want the dial error", err)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("errors.Is(%v, ECONNREFUSED) = false", err)
	}
	if st := p.Stats(); st.DialErrors != 1 || st.Dials != 0 {
		t.Fatalf("stats %+v, want 1 dial error", st)
	}
}

func TestLongPoolConcurrent(t *testing.T) {
	ctx := testContext(t)
	servers := []*echoServer{newEchoServer(t), newEchoServer(t), newEchoServer(t)}
	p := newLongPool(t, tnetpoll.Dial, connpool.LongPoolConfig{
		MaxIdlePerAddress: 3, MaxIdleGlobal: 5, MaxIdleTimeout: 20 * time.Millisecond,
	})
	const workers, rounds = 16, 100
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- worker(ctx, p, servers, w, rounds)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := p.Stats()
	if st.Idle > 5 || st.Dials+st.Reuses != workers*rounds {
		t.Fatalf("stats %+v: want at most 5 idle and %d Gets served", st, workers*rounds)
	}
	for addr, n := range st.IdlePerAddress {
		if n > 3 {
			t.Fatalf("%d idle for %s, over MaxIdlePerAddress", n, addr)
		}
	}
}

// worker runs Get, an echo and Put or Discard in a loop, also calling Stats and Clean now and then.
func worker(ctx context.Context, p *connpool.LongPool, servers []*echoServer, w, rounds int) error {
	rng := rand.New(rand.NewPCG(uint64(w), 1))
	for i := range rounds {
		srv := servers[rng.IntN(len(servers))]
		c, err := p.Get(ctx, "tcp", srv.addr, time.Second)
		if err != nil {
			return err
		}
		if err := echo(c, fmt.Sprintf("w%d-%d", w, i)); err != nil {
			return err
		}
		switch r := rng.IntN(10); {
		case r == 0:
			err = p.Discard(c)
		case r == 1:
			p.Clean("tcp", srv.addr)
			err = p.Put(c)
		default:
			_ = p.Stats()
			err = p.Put(c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func TestLongPoolConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   connpool.LongPoolConfig
		want connpool.LongPoolConfig
	}{
		{"zero takes defaults", connpool.LongPoolConfig{}, connpool.DefaultLongPoolConfig()},
		{"negative takes defaults", connpool.LongPoolConfig{-1, -1, -1}, connpool.DefaultLongPoolConfig()},
		{"kept", connpool.LongPoolConfig{5, 50, time.Second}, connpool.LongPoolConfig{5, 50, time.Second}},
		{"global raised", connpool.LongPoolConfig{20, 10, time.Second}, connpool.LongPoolConfig{20, 20, time.Second}},
		{"short timeout kept", connpool.LongPoolConfig{1, 1, time.Millisecond}, connpool.LongPoolConfig{1, 1, time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newLongPool(t, tnetpoll.Dial, tt.in)
			if got := p.Config(); got != tt.want {
				t.Fatalf("Config() = %+v, want %+v", got, tt.want)
			}
		})
	}
	if def := connpool.DefaultLongPoolConfig(); def != (connpool.LongPoolConfig{10, 100, time.Minute}) {
		t.Fatalf("DefaultLongPoolConfig() = %+v", def)
	}
}

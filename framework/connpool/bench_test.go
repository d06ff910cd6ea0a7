package connpool_test

import (
	"testing"
	"time"

	"github.com/ternhq/tern/framework/connpool"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

// TestLongPoolGetPutAllocs asserts that reusing a warm connection allocates nothing.
func TestLongPoolGetPutAllocs(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	p := newLongPool(t, tnetpoll.Dial, connpool.DefaultLongPoolConfig())
	mustPut(t, p, mustGet(ctx, t, p, srv.addr))

	allocs := testing.AllocsPerRun(1000, func() {
		c, err := p.Get(ctx, "tcp", srv.addr, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Put(c); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Get+Put of a warm connection allocates %v times, want 0", allocs)
	}
	if st := p.Stats(); st.Dials != 1 {
		t.Fatalf("stats %+v, want every Get after the first served from the pool", st)
	}
}

func BenchmarkLongPoolGetPut(b *testing.B) {
	ctx := testContext(b)
	srv := newEchoServer(b)
	p := newLongPool(b, tnetpoll.Dial, connpool.DefaultLongPoolConfig())
	mustPut(b, p, mustGet(ctx, b, p, srv.addr))
	b.ReportAllocs()
	for b.Loop() {
		c, err := p.Get(ctx, "tcp", srv.addr, time.Second)
		if err != nil {
			b.Fatal(err)
		}
		_ = p.Put(c)
	}
}

// BenchmarkLongPoolGetPutParallel runs Get+Put from GOMAXPROCS×4 goroutines sharing one address, the
// contended case for the per-address lock and the global idle counter.
func BenchmarkLongPoolGetPutParallel(b *testing.B) {
	ctx := testContext(b)
	srv := newEchoServer(b)
	p := newLongPool(b, tnetpoll.Dial, connpool.LongPoolConfig{MaxIdlePerAddress: 64, MaxIdleGlobal: 64})
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c, err := p.Get(ctx, "tcp", srv.addr, time.Second)
			if err != nil {
				b.Error(err)
				return
			}
			_ = p.Put(c)
		}
	})
}

// BenchmarkShortPoolGetPut is the cost the long pool saves: a loopback dial and close per call.
func BenchmarkShortPoolGetPut(b *testing.B) {
	ctx := testContext(b)
	srv := newEchoServer(b)
	p := connpool.NewShortPool(tnetpoll.Dial)
	b.ReportAllocs()
	for b.Loop() {
		c, err := p.Get(ctx, "tcp", srv.addr, time.Second)
		if err != nil {
			b.Fatal(err)
		}
		_ = p.Put(c)
	}
}

package limit_test

import (
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/limit"
	"github.com/ternhq/tern/framework/rpcerr"
)

// fakeClock is a time source tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// allowN calls Allow n times and returns how many succeeded.
func allowN(b *limit.TokenBucket, n int) int {
	ok := 0
	for range n {
		if b.Allow() {
			ok++
		}
	}
	return ok
}

func TestTokenBucket(t *testing.T) {
	type step struct {
		advance time.Duration
		tries   int
		want    int // how many of the tries are allowed
	}
	tests := []struct {
		name  string
		qps   float64
		burst int
		steps []step
	}{
		{"starts full", 10, 3, []step{{0, 5, 3}}},
		{"refills one per interval", 10, 3, []step{{0, 3, 3}, {99 * time.Millisecond, 1, 0}, {time.Millisecond, 2, 1}}},
		{"refill capped at burst", 10, 3, []step{{0, 3, 3}, {time.Hour, 10, 3}}},
		{"burst below 1 is 1", 100, 0, []step{{0, 3, 1}, {10 * time.Millisecond, 3, 1}}},
		{"fractional rate", 0.5, 1, []step{{0, 2, 1}, {1999 * time.Millisecond, 1, 0}, {time.Millisecond, 1, 1}}},
		{"high rate", 1e6, 1000, []step{{0, 2000, 1000}, {time.Millisecond, 2000, 1000}}},
		{"zero rate is unlimited", 0, 1, []step{{0, 1000, 1000}}},
		{"negative rate is unlimited", -5, 1, []step{{0, 1000, 1000}}},
		{"infinite rate is unlimited", math.Inf(1), 1, []step{{0, 1000, 1000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			b := limit.NewTokenBucket(tt.qps, tt.burst, limit.WithClock(clk.Now))
			var rejected int
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				if got := allowN(b, s.tries); got != s.want {
					t.Fatalf("step %d: %d of %d allowed, want %d", i, got, s.tries, s.want)
				}
				rejected += s.tries - s.want
			}
			if got := b.Rejected(); got != uint64(rejected) {
				t.Errorf("Rejected = %d, want %d", got, rejected)
			}
		})
	}
}

func TestTokenBucketSustainedRate(t *testing.T) {
	clk := newFakeClock()
	b := limit.NewTokenBucket(200, 20, limit.WithClock(clk.Now))
	allowed := 0
	for range 10_000 { // 10s in 1ms steps, trying 5 times each
		allowed += allowN(b, 5)
		clk.Advance(time.Millisecond)
	}
	if want := 200*10 + 20; allowed < want-2 || allowed > want {
		t.Errorf("allowed %d in 10s at 200 qps with burst 20, want about %d", allowed, want)
	}
}

func TestTokenBucketSetRate(t *testing.T) {
	clk := newFakeClock()
	b := limit.NewTokenBucket(10, 1, limit.WithClock(clk.Now))
	if !b.Allow() || b.Allow() {
		t.Fatal("want exactly one token at first")
	}
	b.SetRate(1000, 5)
	if qps, burst := b.Rate(); qps != 1000 || burst != 5 {
		t.Errorf("Rate = %v, %v; want 1000, 5", qps, burst)
	}
	clk.Advance(time.Second)
	if got := allowN(b, 10); got != 5 {
		t.Errorf("after raising the rate: %d allowed, want the new burst 5", got)
	}
	b.SetRate(0, 0)
	if got := allowN(b, 100); got != 100 {
		t.Errorf("after removing the limit: %d of 100 allowed", got)
	}
}

func TestTokenBucketConcurrent(t *testing.T) {
	clk := newFakeClock() // frozen: exactly the burst can be taken
	b := limit.NewTokenBucket(1, 500, limit.WithClock(clk.Now))
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { allowed.Add(int64(allowN(b, 100))) })
	}
	wg.Wait()
	if allowed.Load() != 500 || b.Rejected() != 1600-500 {
		t.Errorf("allowed %d, rejected %d; want 500 and 1100", allowed.Load(), b.Rejected())
	}
}

func TestConcurrency(t *testing.T) {
	tests := []struct {
		name    string
		max     int
		acquire int
		want    int
	}{
		{"under the limit", 5, 3, 3},
		{"at the limit", 5, 5, 5},
		{"over the limit", 5, 8, 5},
		{"zero is unlimited", 0, 100, 100},
		{"negative is unlimited", -1, 100, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := limit.NewConcurrency(tt.max)
			got := 0
			for range tt.acquire {
				if c.Acquire() {
					got++
				}
			}
			if got != tt.want || c.InFlight() != tt.want || c.Rejected() != uint64(tt.acquire-tt.want) {
				t.Fatalf("acquired %d, in flight %d, rejected %d; want %d, %d, %d",
					got, c.InFlight(), c.Rejected(), tt.want, tt.want, tt.acquire-tt.want)
			}
			for range got {
				c.Release()
			}
			if c.InFlight() != 0 {
				t.Errorf("in flight after releasing all = %d", c.InFlight())
			}
		})
	}
}

func TestConcurrencySetMax(t *testing.T) {
	c := limit.NewConcurrency(3)
	for range 3 {
		c.Acquire()
	}
	c.SetMax(2)
	c.Release()
	if c.Acquire() {
		t.Error("Acquire succeeded with 2 in flight and max 2")
	}
	c.SetMax(4)
	if !c.Acquire() || !c.Acquire() || c.Acquire() || c.Max() != 4 {
		t.Errorf("after raising max to 4: in flight %d, max %d", c.InFlight(), c.Max())
	}
}

func TestConcurrencyReleaseWithoutAcquirePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Release without Acquire did not panic")
		}
	}()
	limit.NewConcurrency(1).Release()
}

func TestConcurrencyNeverExceedsMax(t *testing.T) {
	const max = 4
	c := limit.NewConcurrency(max)
	var inside, peak atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 1000 {
				if !c.Acquire() {
					continue
				}
				n := inside.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				inside.Add(-1)
				c.Release()
			}
		})
	}
	wg.Wait()
	if peak.Load() > max || c.InFlight() != 0 {
		t.Errorf("peak %d (max %d), in flight at the end %d", peak.Load(), max, c.InFlight())
	}
}

func TestLimits(t *testing.T) {
	clk := newFakeClock()
	l := limit.New(limit.Config{MaxConnections: 2, QPS: 3, QPSBurst: 3, MaxConcurrency: 2}, limit.WithClock(clk.Now))

	check := func(name string, err, sentinel error, msg string) {
		t.Helper()
		var rerr *rpcerr.Error
		if !errors.As(err, &rerr) || rerr.Code() != rpcerr.CodeResourceExhausted {
			t.Fatalf("%s: %v, want an *rpcerr.Error with CodeResourceExhausted", name, err)
		}
		if !errors.Is(err, sentinel) || rerr.Message() != msg {
			t.Errorf("%s: %q (matches sentinel: %v), want message %q", name, err, errors.Is(err, sentinel), msg)
		}
		for _, other := range []error{limit.ErrConnLimit, limit.ErrQPSLimit, limit.ErrConcurrencyLimit} {
			if other != sentinel && errors.Is(err, other) {
				t.Errorf("%s: matches %v too", name, other)
			}
		}
	}

	for i := range 2 {
		if err := l.AcquireConn(); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
	}
	check("third connection", l.AcquireConn(), limit.ErrConnLimit, "server connection limit 2 reached")

	for i := range 2 {
		if err := l.AcquireCall(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	check("third call in flight", l.AcquireCall(), limit.ErrConcurrencyLimit, "server concurrency limit 2 reached")
	l.ReleaseCall()
	if err := l.AcquireCall(); err != nil { // the third token
		t.Fatalf("call after release: %v", err)
	}
	l.ReleaseCall()
	check("fourth call this second", l.AcquireCall(), limit.ErrQPSLimit, "server QPS limit 3 reached")
	if got := l.Stats().InFlight; got != 1 {
		t.Errorf("a call refused by QPS is left in flight: InFlight = %d, want 1", got)
	}

	want := limit.Stats{Connections: 2, InFlight: 1, ConnRejected: 1, QPSRejected: 1, ConcurrencyRejected: 1}
	if got := l.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}

	l.Update(limit.Config{MaxConnections: 1, QPS: 0.5})
	check("connection after lowering", l.AcquireConn(), limit.ErrConnLimit, "server connection limit 1 reached")
	l.ReleaseConn()
	l.ReleaseConn()
	if err := l.AcquireConn(); err != nil {
		t.Errorf("connection under the new limit: %v", err)
	}
	clk.Advance(2 * time.Second)
	if err := l.AcquireCall(); err != nil {
		t.Errorf("call under the new limits: %v", err)
	}
	check("second call at 0.5 qps", l.AcquireCall(), limit.ErrQPSLimit, "server QPS limit 0.5 reached")
}

func TestZeroLimitsAdmitEverything(t *testing.T) {
	l := limit.New(limit.Config{})
	for range 10_000 {
		if err := l.AcquireConn(); err != nil {
			t.Fatal(err)
		}
		if err := l.AcquireCall(); err != nil {
			t.Fatal(err)
		}
	}
	if st := l.Stats(); st.Connections != 10_000 || st.InFlight != 10_000 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestNoAllocations(t *testing.T) {
	b := limit.NewTokenBucket(1e9, 1)
	c := limit.NewConcurrency(1)
	l := limit.New(limit.Config{QPS: 1, MaxConcurrency: 1, MaxConnections: 1})
	_ = l.AcquireConn()
	tests := []struct {
		name string
		f    func()
	}{
		{"TokenBucket.Allow", func() { b.Allow() }},
		{"Concurrency.Acquire/Release", func() {
			if c.Acquire() {
				c.Acquire() // rejected
				c.Release()
			}
		}},
		{"Limits rejections", func() {
			_ = l.AcquireConn()
			_ = l.AcquireCall()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(1000, tt.f); n != 0 {
				t.Errorf("%v allocations, want 0", n)
			}
		})
	}
}

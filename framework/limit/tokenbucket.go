package limit

import (
	"math"
	"sync/atomic"
	"time"
)

// TokenBucket limits a rate of events: on average qps per second, with bursts of up to burst events.
// It starts full. It is safe for concurrent use and lock-free: the bucket is kept as one atomic
// "theoretical arrival time" (the generic cell rate algorithm), so Allow is one clock read and a
// compare-and-swap.
type TokenBucket struct {
	params   atomic.Pointer[rate]
	tat      atomic.Int64 // when the bucket will be full again, ns on clock; behind now means full
	rejected atomic.Uint64
	clock    clock
}

// rate is a TokenBucket's settings, swapped as a whole by SetRate.
type rate struct {
	qps       float64
	burst     int
	interval  int64 // ns per token; 0 means no limit
	tolerance int64 // how far ahead of now tat may run: burst × interval
}

// NewTokenBucket returns a full bucket that allows qps events a second on average and up to burst at
// once (burst less than 1 counts as 1). A qps of zero or less, or one too high to measure in
// nanoseconds, means no limit.
func NewTokenBucket(qps float64, burst int, opts ...Option) *TokenBucket {
	o := newOptions(opts)
	b := &TokenBucket{clock: newClock(o.now)}
	b.SetRate(qps, burst)
	return b
}

// SetRate changes the rate and the burst, taking effect at once. Tokens spent before the change stay
// spent.
func (b *TokenBucket) SetRate(qps float64, burst int) {
	if burst < 1 {
		burst = 1
	}
	r := &rate{qps: qps, burst: burst}
	if qps > 0 && !math.IsInf(qps, 1) {
		r.interval = int64(float64(time.Second) / qps)
		r.tolerance = math.MaxInt64 / 2 // a burst too large to matter
		if r.interval > 0 && int64(burst) < r.tolerance/r.interval {
			r.tolerance = r.interval * int64(burst)
		}
	}
	b.params.Store(r)
}

// Rate returns the current rate and burst.
func (b *TokenBucket) Rate() (qps float64, burst int) {
	r := b.params.Load()
	return r.qps, r.burst
}

// Allow takes a token if there is one and reports whether it did. A false result is counted in
// Rejected.
func (b *TokenBucket) Allow() bool {
	r := b.params.Load()
	if r.interval == 0 {
		return true
	}
	now := b.clock.nanos()
	for {
		tat := b.tat.Load()
		next := max(tat, now) + r.interval
		if next-now > r.tolerance {
			b.rejected.Add(1)
			return false
		}
		if b.tat.CompareAndSwap(tat, next) {
			return true
		}
	}
}

// Rejected returns how many times Allow has returned false.
func (b *TokenBucket) Rejected() uint64 { return b.rejected.Load() }

// clock measures time since its creation; with time.Now it reads the monotonic clock.
type clock struct {
	now  func() time.Time
	base time.Time
}

func newClock(now func() time.Time) clock { return clock{now: now, base: now()} }

func (c *clock) nanos() int64 {
	if d := c.now().Sub(c.base); d > 0 {
		return int64(d)
	}
	return 0
}

// Option configures a TokenBucket or Limits.
type Option interface{ apply(*options) }

type options struct {
	now func() time.Time
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

func newOptions(opts []Option) options {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt.apply(&o)
	}
	return o
}

// WithClock sets the time source (default time.Now), for deterministic tests.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *options) {
		if now != nil {
			o.now = now
		}
	})
}

package retry

import (
	"sync"
	"sync/atomic"
	"time"
)

// Budget caps retries at a share of calls: over a sliding window of about ten seconds, retries may be at
// most ratio × calls, plus a floor of minPerSecond a second so that a quiet client can still retry. When
// a callee fails wholesale, retries then add at most that share to its load instead of multiplying it.
//
// Deposit counts a call, Withdraw asks for a retry. Do and Backup do both; a client should also Deposit
// for calls it makes without them, so the budget sees all its traffic. A Budget is safe for concurrent
// use; it takes no lock except once a second, when a bucket of the window is recycled. A nil *Budget
// allows every retry.
type Budget struct {
	ratio    float64
	floor    int64 // retries always allowed per window
	rejected atomic.Uint64
	clock    clock

	buckets [budgetBuckets]budgetBucket
	mu      sync.Mutex // serialises recycling a bucket
}

const (
	budgetBuckets = 10
	budgetWidth   = int64(time.Second)
)

type budgetBucket struct {
	epoch   atomic.Int64 // index of the second the counts belong to
	calls   atomic.Int64
	retries atomic.Int64
}

// NewBudget returns a Budget allowing retries of up to ratio (0.1 = 10%) of the calls in the last ten
// seconds, plus minPerSecond a second.
func NewBudget(ratio float64, minPerSecond int, opts ...BudgetOption) *Budget {
	o := budgetOptions{now: time.Now}
	for _, opt := range opts {
		opt.applyBudget(&o)
	}
	b := &Budget{
		ratio: max(ratio, 0),
		floor: int64(max(minPerSecond, 0)) * budgetBuckets, // the window is budgetBuckets seconds
		clock: clock{now: o.now, base: o.now()},
	}
	for i := range b.buckets {
		b.buckets[i].epoch.Store(-budgetBuckets)
	}
	return b
}

// Deposit counts one call (not one attempt) towards the budget.
func (b *Budget) Deposit() {
	if b == nil {
		return
	}
	b.bucket(b.clock.nanos()).calls.Add(1)
}

// Withdraw asks for one retry and reports whether the budget allows it; if so the retry is counted.
// A refusal is counted in Rejected.
func (b *Budget) Withdraw() bool {
	if b == nil {
		return true
	}
	t := b.clock.nanos()
	bk := b.bucket(t)
	bk.retries.Add(1) // count first, so concurrent withdrawals cannot overdraw together
	calls, retries := b.sum(t)
	if float64(retries) <= b.ratio*float64(calls)+float64(b.floor) {
		return true
	}
	bk.retries.Add(-1)
	b.rejected.Add(1)
	return false
}

// Rejected returns how many retries Withdraw has refused.
func (b *Budget) Rejected() uint64 {
	if b == nil {
		return 0
	}
	return b.rejected.Load()
}

// bucket returns the bucket for time t, recycling it if it still holds an older second.
func (b *Budget) bucket(t int64) *budgetBucket {
	idx := t / budgetWidth
	bk := &b.buckets[idx%budgetBuckets]
	if bk.epoch.Load() < idx {
		b.mu.Lock()
		if bk.epoch.Load() < idx {
			bk.calls.Store(0)
			bk.retries.Store(0)
			bk.epoch.Store(idx)
		}
		b.mu.Unlock()
	}
	return bk
}

func (b *Budget) sum(t int64) (calls, retries int64) {
	idx := t / budgetWidth
	for i := range b.buckets {
		bk := &b.buckets[i]
		if e := bk.epoch.Load(); e > idx-budgetBuckets && e <= idx {
			calls += bk.calls.Load()
			retries += bk.retries.Load()
		}
	}
	return calls, retries
}

// BudgetOption configures a Budget; pass options to NewBudget.
type BudgetOption interface{ applyBudget(*budgetOptions) }

type budgetOptions struct {
	now func() time.Time
}

type budgetOptionFunc func(*budgetOptions)

func (f budgetOptionFunc) applyBudget(o *budgetOptions) { f(o) }

// WithBudgetClock sets the Budget's time source (default time.Now), for deterministic tests.
func WithBudgetClock(now func() time.Time) BudgetOption {
	return budgetOptionFunc(func(o *budgetOptions) {
		if now != nil {
			o.now = now
		}
	})
}

// clock measures time since its creation; with time.Now it reads the monotonic clock.
type clock struct {
	now  func() time.Time
	base time.Time
}

func (c *clock) nanos() int64 {
	if d := c.now().Sub(c.base); d > 0 {
		return int64(d)
	}
	return 0
}

package limit

import "sync/atomic"

// Concurrency limits how many things are in flight at once: calls being handled, or open connections.
// It is safe for concurrent use and lock-free.
type Concurrency struct {
	max      atomic.Int64
	inFlight atomic.Int64
	rejected atomic.Uint64
}

// NewConcurrency returns a limiter that lets max things be in flight at once; max of zero or less
// means no limit (in-flight things are still counted).
func NewConcurrency(max int) *Concurrency {
	c := &Concurrency{}
	c.SetMax(max)
	return c
}

// SetMax changes the limit. Lowering it below InFlight rejects new acquisitions until enough are
// released; nothing already acquired is affected.
func (c *Concurrency) SetMax(max int) { c.max.Store(int64(max)) }

// Max returns the limit; zero or less means none.
func (c *Concurrency) Max() int { return int(c.max.Load()) }

// Acquire takes a slot if one is free and reports whether it did. Each successful Acquire must be
// followed by one Release. A false result is counted in Rejected.
func (c *Concurrency) Acquire() bool {
	for {
		n, max := c.inFlight.Load(), c.max.Load()
		if max <= 0 {
			c.inFlight.Add(1)
			return true
		}
		if n >= max {
			c.rejected.Add(1)
			return false
		}
		if c.inFlight.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release frees a slot taken by Acquire. Releasing more than was acquired panics.
func (c *Concurrency) Release() {
	if c.inFlight.Add(-1) < 0 {
		panic("limit: Concurrency.Release without Acquire")
	}
}

// InFlight returns how many slots are taken.
func (c *Concurrency) InFlight() int { return int(c.inFlight.Load()) }

// Rejected returns how many times Acquire has returned false.
func (c *Concurrency) Rejected() uint64 { return c.rejected.Load() }

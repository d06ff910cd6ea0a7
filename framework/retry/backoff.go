package retry

import (
	"math/rand/v2"
	"time"
)

// Backoff says how long to wait before a retry. Delay(n) is the wait after attempt n (counted from 1)
// failed, before attempt n+1. Implementations must be safe for concurrent use.
type Backoff interface {
	Delay(attempt int) time.Duration
}

// NoBackoff retries at once.
func NoBackoff() Backoff { return fixed(0) }

// FixedBackoff waits d before every retry.
func FixedBackoff(d time.Duration) Backoff { return fixed(max(d, 0)) }

type fixed time.Duration

func (f fixed) Delay(int) time.Duration { return time.Duration(f) }

// ExponentialBackoff waits base before the first retry and doubles the wait for each further one, up to
// maxDelay (zero or less: no cap). jitter, from 0 to 1, takes a random share of up to that fraction
// off each wait, so that callers that failed together do not retry together: with jitter 0.2 a 100ms
// wait becomes 80–100ms. Waits never exceed maxDelay.
func ExponentialBackoff(base, maxDelay time.Duration, jitter float64) Backoff {
	return exponential{base: base, max: maxDelay, jitter: min(1, max(0, jitter))}
}

type exponential struct {
	base, max time.Duration
	jitter    float64
}

func (e exponential) Delay(attempt int) time.Duration {
	if e.base <= 0 {
		return 0
	}
	limit := e.max
	if limit <= 0 {
		limit = 1<<63 - 1
	}
	d := limit
	if shift := max(attempt, 1) - 1; shift < 63 && e.base <= limit>>shift {
		d = e.base << shift
	}
	if e.jitter > 0 {
		d -= time.Duration(e.jitter * rand.Float64() * float64(d))
	}
	return d
}

package middleware

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
)

// sweepEvery is how often the limiter forgets the clients whose buckets have refilled.
const sweepEvery = time.Minute

// MaxClients bounds the buckets a Limiter keeps. When that many clients are active at once (a flood from
// many addresses), new clients share one overflow bucket until the others' buckets refill.
const MaxClients = 1 << 16

// overflowKey is the key of the shared bucket of the clients beyond MaxClients.
const overflowKey = "\x00overflow"

// Limiter is a token bucket per client: each holds up to burst tokens, refilled at rate per second, and
// a request takes one. Buckets of clients that have been idle long enough to be full again are dropped,
// so memory follows the number of recently active clients. It is safe for concurrent use.
type Limiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter returns a limiter allowing each client rate requests per second on average and bursts of
// burst (at least 1). now is the clock (time.Now when nil).
func NewLimiter(rate float64, burst int, now func() time.Time) (*Limiter, error) {
	if rate <= 0 || math.IsInf(rate, 0) || math.IsNaN(rate) {
		return nil, fmt.Errorf("rate limit: rate %v is not a positive number", rate)
	}
	if burst < 1 {
		return nil, fmt.Errorf("rate limit: burst %d is less than 1", burst)
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: rate, burst: float64(burst), now: now, buckets: make(map[string]*bucket), lastSweep: now()}, nil
}

// Allow takes a token from key's bucket. When it is empty, it reports false and how long until a token
// is there.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= sweepEvery {
		l.sweep(now)
	}
	b := l.bucketOf(key, now)
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// bucketOf returns key's bucket, creating it full, or the overflow bucket when MaxClients are tracked;
// l.mu is held.
func (l *Limiter) bucketOf(key string, now time.Time) *bucket {
	if b := l.buckets[key]; b != nil {
		return b
	}
	if len(l.buckets) >= MaxClients {
		if now.Sub(l.lastSweep) >= time.Second { // at most once a second: a sweep walks every bucket
			l.sweep(now)
		}
		if len(l.buckets) >= MaxClients {
			key = overflowKey
			if b := l.buckets[key]; b != nil {
				return b
			}
		}
	}
	b := &bucket{tokens: l.burst, last: now}
	l.buckets[key] = b
	return b
}

// Clients returns the number of clients the limiter currently tracks.
func (l *Limiter) Clients() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// sweep drops the buckets that would be full by now.
func (l *Limiter) sweep(now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}

// RateLimit refuses a request whose client (by IP address, see clientKey) has no token left in l, with
// 429 and a Retry-After header in whole seconds.
func RateLimit(l *Limiter) app.HandlerFunc {
	return func(ctx context.Context, c *app.RequestContext) {
		ok, wait := l.Allow(clientKey(c))
		if ok {
			c.Next(ctx)
			return
		}
		secs := int(math.Ceil(wait.Seconds()))
		c.Response.Header.Set("Retry-After", strconv.Itoa(max(secs, 1)))
		apierr.Write(ctx, c, http.StatusTooManyRequests, apierr.CodeRateLimited,
			"too many requests; retry after the number of seconds in Retry-After")
	}
}

// clientKey identifies the client of a request: its IP address as the server's ClientIP function sees
// it (the gateway configures it to trust forwarding headers only from configured proxies).
func clientKey(c *app.RequestContext) string {
	if ip := c.ClientIP(); ip != "" {
		return ip
	}
	return c.RemoteAddr().String()
}

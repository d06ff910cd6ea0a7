package retry_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/retry"
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

// withdrawAll withdraws until refused and returns how many were allowed.
func withdrawAll(b *retry.Budget) int {
	n := 0
	for b.Withdraw() {
		n++
	}
	return n
}

func TestBudget(t *testing.T) {
	tests := []struct {
		name         string
		ratio        float64
		minPerSecond int
		calls        int
		want         int // retries allowed
	}{
		{"ratio of calls plus floor", 0.1, 1, 1000, 100 + 10},
		{"floor only", 0.1, 2, 0, 20},
		{"no floor", 0.2, 0, 50, 10},
		{"nothing", 0, 0, 1000, 0},
		{"negative is zero", -1, -1, 1000, 0},
		{"ratio above 1", 2, 0, 10, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := retry.NewBudget(tt.ratio, tt.minPerSecond, retry.WithBudgetClock(newFakeClock().Now))
			for range tt.calls {
				b.Deposit()
			}
			if got := withdrawAll(b); got != tt.want {
				t.Errorf("%d retries allowed, want %d", got, tt.want)
			}
			if b.Rejected() != 1 {
				t.Errorf("Rejected = %d, want 1", b.Rejected())
			}
		})
	}
}

func TestBudgetWindowSlides(t *testing.T) {
	clk := newFakeClock()
	b := retry.NewBudget(0.1, 1, retry.WithBudgetClock(clk.Now))
	for range 100 {
		b.Deposit()
	}
	if got := withdrawAll(b); got != 20 {
		t.Fatalf("%d retries allowed, want 10%% of 100 + 10", got)
	}
	clk.Advance(5 * time.Second)
	if got := withdrawAll(b); got != 0 {
		t.Errorf("5s later, %d retries allowed, want 0: the window still holds the first 20", got)
	}
	clk.Advance(5 * time.Second)
	if got := withdrawAll(b); got != 10 {
		t.Errorf("10s later, %d retries allowed, want the floor of 10", got)
	}
}

func TestNilBudget(t *testing.T) {
	var b *retry.Budget
	b.Deposit()
	for range 100 {
		if !b.Withdraw() {
			t.Fatal("a nil Budget refused a retry")
		}
	}
	if b.Rejected() != 0 {
		t.Error("a nil Budget counted a refusal")
	}
}

// TestBudgetCapsRetryStorm: 1000 calls against a callee that always fails, each allowed 3 attempts,
// make about 10% more attempts, not 200% more.
func TestBudgetCapsRetryStorm(t *testing.T) {
	for _, tt := range []struct {
		name       string
		goroutines int
	}{{"sequential", 1}, {"concurrent", 20}} {
		goroutines := tt.goroutines
		t.Run(tt.name, func(t *testing.T) {
			b := retry.NewBudget(0.1, 1, retry.WithBudgetClock(newFakeClock().Now))
			p := retry.Policy{MaxAttempts: 3}
			var attempts, exhausted atomic.Int64
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() {
					for range 1000 / goroutines {
						err := retry.Do(testCtx(t), p, b, func(_ context.Context, _ int) error {
							attempts.Add(1)
							return retry.NotSent(errUnavailable)
						})
						if strings.Contains(err.Error(), "retry budget exhausted") {
							exhausted.Add(1)
						}
					}
				})
			}
			wg.Wait()
			retries := attempts.Load() - 1000
			if retries > 110 || retries < 90 {
				t.Errorf("%d retries for 1000 calls, want about 10%% + 10 and never more", retries)
			}
			if exhausted.Load() == 0 || b.Rejected() == 0 {
				t.Error("no call reports the exhausted budget")
			}
		})
	}
}

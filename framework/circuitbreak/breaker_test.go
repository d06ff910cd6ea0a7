package circuitbreak_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/circuitbreak"
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

var (
	errUnavailable = rpcerr.New(rpcerr.CodeUnavailable, "connection refused")
	errNotFound    = rpcerr.New(rpcerr.CodeNotFound, "no such item")
)

// testConfig is small enough to drive by hand: opens at 50% of at least 10 calls in 10s.
func testConfig() circuitbreak.Config {
	return circuitbreak.Config{
		Window:         10 * time.Second,
		Buckets:        10,
		MinSamples:     10,
		ErrorRate:      0.5,
		OpenFor:        5 * time.Second,
		HalfOpenProbes: 3,
	}
}

func newTestSet(clk *fakeClock, opts ...circuitbreak.Option) *circuitbreak.Set {
	opts = append(opts, circuitbreak.WithClock(clk.Now))
	return circuitbreak.NewSet(func(string) circuitbreak.Config { return testConfig() }, opts...)
}

// feed records ok successes and fail failures for key, each after an Allow that must pass.
func feed(t *testing.T, s *circuitbreak.Set, key string, ok, fail int) {
	t.Helper()
	for i := 0; i < ok+fail; i++ {
		if err := s.Allow(key); err != nil {
			t.Fatalf("call %d: Allow = %v, want nil", i, err)
		}
		var err error
		if i >= ok {
			err = errUnavailable
		}
		s.Record(key, err)
	}
}

// trip opens key's breaker.
func trip(t *testing.T, s *circuitbreak.Set, key string) {
	t.Helper()
	feed(t, s, key, 0, 10)
	if got := s.State(key); got != circuitbreak.Open {
		t.Fatalf("after 10 failures state = %v, want open", got)
	}
}

func TestDefaultClassifier(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want circuitbreak.Outcome
	}{
		{"unavailable", errUnavailable, circuitbreak.Failure},
		{"deadline", rpcerr.New(rpcerr.CodeDeadlineExceeded, "timeout"), circuitbreak.Failure},
		{"internal", rpcerr.New(rpcerr.CodeInternal, "panic"), circuitbreak.Failure},
		{"exhausted", rpcerr.New(rpcerr.CodeResourceExhausted, "limit"), circuitbreak.Failure},
		{"circuit open", rpcerr.New(rpcerr.CodeCircuitOpen, "open"), circuitbreak.Failure},
		{"wrapped", fmt.Errorf("call: %w", errUnavailable), circuitbreak.Failure},
		{"context deadline", context.DeadlineExceeded, circuitbreak.Failure},
		{"canceled", rpcerr.New(rpcerr.CodeCanceled, "bye"), circuitbreak.Ignore},
		{"context canceled", context.Canceled, circuitbreak.Ignore},
		{"invalid argument", rpcerr.New(rpcerr.CodeInvalidArgument, "bad"), circuitbreak.Success},
		{"not found", errNotFound, circuitbreak.Success},
		{"business error", errors.New("out of stock"), circuitbreak.Success},
		{"unimplemented", rpcerr.New(rpcerr.CodeUnimplemented, "no method"), circuitbreak.Success},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := circuitbreak.DefaultClassifier(tt.err); got != tt.want {
				t.Errorf("DefaultClassifier(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestOpening(t *testing.T) {
	tests := []struct {
		name     string
		ok, fail int
		want     circuitbreak.State
	}{
		{"below min samples", 0, 9, circuitbreak.Closed},
		{"below error rate", 6, 4, circuitbreak.Closed},
		{"at error rate", 5, 5, circuitbreak.Open},
		{"all failing", 0, 10, circuitbreak.Open},
		{"many calls, high rate", 100, 150, circuitbreak.Open},
		{"many calls, low rate", 150, 100, circuitbreak.Closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSet(newFakeClock())
			for range tt.ok {
				s.Record("k", nil)
			}
			for range tt.fail {
				s.Record("k", errUnavailable)
			}
			if got := s.State("k"); got != tt.want {
				t.Errorf("state = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNonFailuresDoNotOpen(t *testing.T) {
	s := newTestSet(newFakeClock())
	for _, err := range []error{errNotFound, errors.New("business"), context.Canceled} {
		for range 20 {
			if err := s.Allow("k"); err != nil {
				t.Fatal(err)
			}
			s.Record("k", err)
		}
	}
	if got := s.State("k"); got != circuitbreak.Closed {
		t.Fatalf("state = %v, want closed", got)
	}
	st := s.Stats()[0]
	if st.Successes != 40 || st.Failures != 0 { // the cancelled calls are not counted
		t.Errorf("stats = %+v, want 40 successes, 0 failures", st)
	}
}

func TestOpenRefusesWithCircuitOpen(t *testing.T) {
	clk := newFakeClock()
	s := newTestSet(clk)
	key := circuitbreak.MethodKey("cart", "stock", "Reserve")
	trip(t, s, key)

	clk.Advance(4 * time.Second)
	err := s.Allow(key)
	var rerr *rpcerr.Error
	if !errors.As(err, &rerr) || rerr.Code() != rpcerr.CodeCircuitOpen {
		t.Fatalf("Allow = %v, want an *rpcerr.Error with CodeCircuitOpen", err)
	}
	for _, want := range []string{`"cart/stock/Reserve"`, "100% of 10 calls failed", "refused for 5s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	st := s.Stats()[0]
	if st.State != circuitbreak.Open || st.OpenRemaining != time.Second || st.Rejected != 1 {
		t.Errorf("stats = %+v, want open for 1s more, 1 rejected", st)
	}
}

func TestHalfOpen(t *testing.T) {
	tests := []struct {
		name     string
		outcomes []error // the trial calls' results
		want     circuitbreak.State
	}{
		{"all probes succeed", []error{nil, nil, nil}, circuitbreak.Closed},
		{"first probe fails", []error{errUnavailable}, circuitbreak.Open},
		{"last probe fails", []error{nil, nil, errUnavailable}, circuitbreak.Open},
		{"business errors are successes", []error{errNotFound, nil, nil}, circuitbreak.Closed},
		{"some probes pending", []error{nil, nil}, circuitbreak.HalfOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			s := newTestSet(clk)
			trip(t, s, "k")
			clk.Advance(5 * time.Second)
			if got := s.State("k"); got != circuitbreak.HalfOpen {
				t.Fatalf("after cool-down state = %v, want half-open", got)
			}
			for i := range 3 {
				if err := s.Allow("k"); err != nil {
					t.Fatalf("probe %d refused: %v", i, err)
				}
			}
			if err := s.Allow("k"); rpcerr.CodeOf(err) != rpcerr.CodeCircuitOpen {
				t.Fatalf("fourth call while half-open: Allow = %v, want CodeCircuitOpen", err)
			}
			for _, err := range tt.outcomes {
				s.Record("k", err)
			}
			if got := s.State("k"); got != tt.want {
				t.Errorf("state = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClosingForgetsOldFailures(t *testing.T) {
	clk := newFakeClock()
	s := newTestSet(clk)
	trip(t, s, "k")
	clk.Advance(5 * time.Second)
	feed(t, s, "k", 3, 0) // the probes
	if got := s.State("k"); got != circuitbreak.Closed {
		t.Fatalf("state = %v, want closed", got)
	}
	feed(t, s, "k", 0, 1)
	if st := s.Stats()[0]; st.Failures != 1 || st.Successes != 0 || st.State != circuitbreak.Closed {
		t.Errorf("stats = %+v, want a fresh window holding 1 failure", st)
	}
}

func TestReopenedBreakerWaitsAgain(t *testing.T) {
	clk := newFakeClock()
	s := newTestSet(clk)
	trip(t, s, "k")
	clk.Advance(5 * time.Second)
	if err := s.Allow("k"); err != nil {
		t.Fatal(err)
	}
	s.Record("k", errUnavailable)
	clk.Advance(4 * time.Second)
	if err := s.Allow("k"); rpcerr.CodeOf(err) != rpcerr.CodeCircuitOpen {
		t.Fatalf("Allow 4s after reopening = %v, want CodeCircuitOpen", err)
	}
	if err := s.Allow("k"); !strings.Contains(err.Error(), "a trial call failed") {
		t.Errorf("error %q does not say why", err)
	}
	clk.Advance(time.Second)
	if err := s.Allow("k"); err != nil {
		t.Errorf("Allow after the second cool-down = %v, want nil", err)
	}
}

func TestLostProbesDoNotWedge(t *testing.T) {
	clk := newFakeClock()
	s := newTestSet(clk)
	trip(t, s, "k")
	clk.Advance(5 * time.Second)
	for range 3 { // probes whose outcome never arrives
		if err := s.Allow("k"); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(4 * time.Second)
	if err := s.Allow("k"); err == nil {
		t.Fatal("Allow before the round expired = nil, want refusal")
	}
	clk.Advance(time.Second)
	if err := s.Allow("k"); err != nil {
		t.Fatalf("Allow after the round expired = %v, want a new probe", err)
	}
}

func TestWindowSlides(t *testing.T) {
	clk := newFakeClock()
	s := newTestSet(clk)
	feed(t, s, "k", 0, 9) // one short of opening
	clk.Advance(10 * time.Second)
	feed(t, s, "k", 0, 9) // the first nine have left the window
	if got := s.State("k"); got != circuitbreak.Closed {
		t.Fatalf("state = %v, want closed", got)
	}
	if st := s.Stats()[0]; st.Failures != 9 {
		t.Errorf("failures in window = %d, want 9", st.Failures)
	}
	clk.Advance(5 * time.Second) // half the window: the last nine are still in it
	feed(t, s, "k", 0, 1)
	if got := s.State("k"); got != circuitbreak.Open {
		t.Errorf("state = %v, want open", got)
	}
}

package circuitbreak_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/circuitbreak"
	"github.com/ternhq/tern/framework/rpcerr"
)

func TestMethodKey(t *testing.T) {
	if got := circuitbreak.MethodKey("cart", "stock", "Reserve"); got != "cart/stock/Reserve" {
		t.Errorf("MethodKey = %q", got)
	}
}

func TestPerKeyConfig(t *testing.T) {
	clk := newFakeClock()
	var calls []string
	s := circuitbreak.NewSet(func(key string) circuitbreak.Config {
		calls = append(calls, key)
		switch key {
		case "off":
			return circuitbreak.Config{Disabled: true}
		case "touchy":
			return circuitbreak.Config{MinSamples: 2} // the rest from DefaultConfig
		}
		return circuitbreak.DefaultConfig()
	}, circuitbreak.WithClock(clk.Now))

	feed(t, s, "off", 0, 500)
	feed(t, s, "touchy", 0, 2)
	feed(t, s, "default", 0, 199)
	want := map[string]circuitbreak.State{"off": circuitbreak.Closed, "touchy": circuitbreak.Open, "default": circuitbreak.Closed}
	for key, st := range want {
		if got := s.State(key); got != st {
			t.Errorf("State(%q) = %v, want %v", key, got, st)
		}
	}
	feed(t, s, "default", 0, 1)
	if got := s.State("default"); got != circuitbreak.Open {
		t.Errorf("default key after 200 failures: %v, want open", got)
	}
	clk.Advance(4999 * time.Millisecond) // default OpenFor is 5s
	if s.Allow("touchy") == nil {
		t.Error("touchy key allowed before its 5s cool-down")
	}
	if got := slices.Sorted(slices.Values(calls)); !slices.Equal(got, []string{"default", "off", "touchy"}) {
		t.Errorf("config called for %v, want once per key", calls)
	}
}

func TestNilConfigIsDefault(t *testing.T) {
	s := circuitbreak.NewSet(nil)
	feed(t, s, "k", 0, 199)
	if got := s.State("k"); got != circuitbreak.Closed {
		t.Fatalf("state = %v after 199 failures, want closed", got)
	}
	feed(t, s, "k", 0, 1)
	if got := s.State("k"); got != circuitbreak.Open {
		t.Fatalf("state = %v after 200 failures, want open", got)
	}
}

func TestWithClassifier(t *testing.T) {
	errBiz := errors.New("stock exhausted")
	s := newTestSet(newFakeClock(), circuitbreak.WithClassifier(func(err error) circuitbreak.Outcome {
		if errors.Is(err, errBiz) {
			return circuitbreak.Failure
		}
		return circuitbreak.Success
	}))
	for range 10 {
		s.Record("biz", errBiz)
		s.Record("unavail", errUnavailable)
	}
	if s.State("biz") != circuitbreak.Open || s.State("unavail") != circuitbreak.Closed {
		t.Errorf("states biz=%v unavail=%v, want open and closed", s.State("biz"), s.State("unavail"))
	}
}

func TestStateChangeAndStats(t *testing.T) {
	clk := newFakeClock()
	var changes []string
	s := newTestSet(clk, circuitbreak.WithStateChange(func(key string, from, to circuitbreak.State) {
		changes = append(changes, key+":"+from.String()+"->"+to.String())
	}))
	if got := s.State("unknown"); got != circuitbreak.Closed {
		t.Errorf("State of an unknown key = %v, want closed", got)
	}
	feed(t, s, "b", 7, 0)
	trip(t, s, "a")
	_ = s.Allow("a")
	clk.Advance(5 * time.Second)
	feed(t, s, "a", 3, 0)

	wantChanges := []string{"a:closed->open", "a:open->half-open", "a:half-open->closed"}
	if !slices.Equal(changes, wantChanges) {
		t.Errorf("changes = %v, want %v", changes, wantChanges)
	}
	stats := s.Stats()
	want := []circuitbreak.Stats{
		{Key: "a", State: circuitbreak.Closed, Rejected: 1},
		{Key: "b", State: circuitbreak.Closed, Successes: 7},
	}
	if !slices.Equal(stats, want) {
		t.Errorf("Stats = %+v, want %+v", stats, want)
	}

	s.Remove("a")
	if got := len(s.Stats()); got != 1 {
		t.Errorf("after Remove, %d breakers, want 1", got)
	}
}

func TestRemoveStartsAfresh(t *testing.T) {
	s := newTestSet(newFakeClock())
	trip(t, s, "10.0.0.1:8888")
	s.Remove("10.0.0.1:8888")
	if err := s.Allow("10.0.0.1:8888"); err != nil {
		t.Errorf("Allow after Remove = %v, want nil", err)
	}
}

func TestHalfOpenProbesUnderConcurrency(t *testing.T) {
	clk := newFakeClock()
	s := newTestSet(clk)
	trip(t, s, "k")
	clk.Advance(5 * time.Second)

	var allowed, refused atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 64 {
		wg.Go(func() {
			<-start
			for range 50 {
				if err := s.Allow("k"); err == nil {
					allowed.Add(1)
				} else if rpcerr.CodeOf(err) == rpcerr.CodeCircuitOpen {
					refused.Add(1)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if allowed.Load() != 3 || refused.Load() != 64*50-3 {
		t.Errorf("allowed %d, refused %d; want 3 probes, the rest refused", allowed.Load(), refused.Load())
	}
}

// TestConcurrentUse runs every method at once on the real clock, for the race detector.
func TestConcurrentUse(t *testing.T) {
	s := circuitbreak.NewSet(func(string) circuitbreak.Config {
		return circuitbreak.Config{Window: 20 * time.Millisecond, Buckets: 4, MinSamples: 5,
			OpenFor: time.Millisecond, HalfOpenProbes: 2}
	})
	keys := []string{"a", "b", "c"}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 2000 {
				key := keys[(g+i)%len(keys)]
				if s.Allow(key) != nil {
					continue
				}
				var err error
				if (g+i)%3 == 0 {
					err = errUnavailable
				}
				s.Record(key, err)
				if i%500 == 0 {
					_ = s.Stats()
					_ = s.State(key)
				}
			}
		})
	}
	wg.Wait()
	if got := len(s.Stats()); got != len(keys) {
		t.Errorf("%d breakers, want %d", got, len(keys))
	}
}

func TestNoAllocations(t *testing.T) {
	clk := newFakeClock()
	s := newTestSet(clk)
	key := circuitbreak.MethodKey("cart", "stock", "Reserve")
	s.Record(key, nil) // create the breaker
	wrapped := fmt.Errorf("attempt 1: %w", errUnavailable)
	if n := testing.AllocsPerRun(1000, func() {
		if err := s.Allow(key); err != nil {
			t.Fatal(err)
		}
		s.Record(key, nil)
		_ = s.Allow(key)
		s.Record(key, errNotFound)
		_ = s.Allow(key)
		s.Record(key, wrapped)
	}); n != 0 {
		t.Errorf("Allow+Record allocate %v times, want 0", n)
	}
	s.Remove(key)
	trip(t, s, key)
	if n := testing.AllocsPerRun(1000, func() { _ = s.Allow(key) }); n != 0 {
		t.Errorf("refusing Allow allocates %v times, want 0", n)
	}
}

package retry_test

import (
	"testing"
	"time"

	"github.com/ternhq/tern/framework/retry"
)

func TestBackoff(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name    string
		backoff retry.Backoff
		want    map[int]time.Duration // attempt -> delay
	}{
		{"none", retry.NoBackoff(), map[int]time.Duration{1: 0, 2: 0, 10: 0}},
		{"fixed", retry.FixedBackoff(30 * ms), map[int]time.Duration{1: 30 * ms, 2: 30 * ms, 50: 30 * ms}},
		{"fixed negative", retry.FixedBackoff(-ms), map[int]time.Duration{1: 0}},
		{"exponential", retry.ExponentialBackoff(10*ms, time.Second, 0),
			map[int]time.Duration{0: 10 * ms, 1: 10 * ms, 2: 20 * ms, 3: 40 * ms, 7: 640 * ms, 8: time.Second, 100: time.Second}},
		{"exponential max below base", retry.ExponentialBackoff(10*ms, 5*ms, 0), map[int]time.Duration{1: 5 * ms, 3: 5 * ms}},
		{"exponential uncapped", retry.ExponentialBackoff(ms, 0, 0),
			map[int]time.Duration{11: 1024 * ms, 1000: 1<<63 - 1}},
		{"exponential zero base", retry.ExponentialBackoff(0, time.Second, 0.5), map[int]time.Duration{1: 0, 5: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for attempt, want := range tt.want {
				if got := tt.backoff.Delay(attempt); got != want {
					t.Errorf("Delay(%d) = %v, want %v", attempt, got, want)
				}
			}
		})
	}
}

func TestExponentialBackoffJitter(t *testing.T) {
	tests := []struct {
		name     string
		jitter   float64
		min, max time.Duration // bounds of Delay(3) = 400ms before jitter
	}{
		{"20%", 0.2, 320 * time.Millisecond, 400 * time.Millisecond},
		{"100%", 1, 0, 400 * time.Millisecond},
		{"above 1 is 1", 7, 0, 400 * time.Millisecond},
		{"negative is 0", -1, 400 * time.Millisecond, 400 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := retry.ExponentialBackoff(100*time.Millisecond, time.Second, tt.jitter)
			seen := map[time.Duration]bool{}
			for range 1000 {
				d := b.Delay(3)
				if d < tt.min || d > tt.max {
					t.Fatalf("Delay(3) = %v, want within [%v, %v]", d, tt.min, tt.max)
				}
				seen[d] = true
			}
			if spread := tt.min != tt.max; spread && len(seen) < 100 {
				t.Errorf("only %d distinct delays in 1000: jitter is not random", len(seen))
			}
		})
	}
}

package loadbalance_test

import (
	"testing"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/loadbalance"
)

// TestP2CAvoidsSlowInstance makes one instance "slow" — calls started on it never finish — and checks
// that it then gets little traffic, also after the picker is rebuilt for a new Result version.
func TestP2CAvoidsSlowInstance(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		slow    int
	}{
		{"equal weights", []int{10, 10, 10}, 0},
		{"slow is the heaviest", []int{10, 20, 70}, 2},
		{"two instances", []int{10, 10}, 1},
	}
	const picks = 10_000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lb := loadbalance.NewP2C()
			tracker := lb.(loadbalance.Tracker)
			r := result(tt.weights...)
			lb.GetPicker(r)
			for range 100 {
				tracker.Start(addr(tt.slow))
			}
			for _, res := range []discovery.Result{r, result(tt.weights...)} { // then rebuilt
				got := counts(testCtx(t), t, lb, res, picks)
				if share := float64(got[addr(tt.slow)]) / picks; share >= 0.10 {
					t.Errorf("slow instance got %.1f%% of picks, want < 10%%", 100*share)
				}
			}
		})
	}
}

// TestP2CRecovers checks that an instance gets traffic again once its calls finish.
func TestP2CRecovers(t *testing.T) {
	lb := loadbalance.NewP2C()
	tracker := lb.(loadbalance.Tracker)
	r := result(10, 10, 10)
	lb.GetPicker(r)
	for range 100 {
		tracker.Start(addr(0))
	}
	for range 100 {
		tracker.Done(addr(0), nil)
	}
	got := counts(testCtx(t), t, lb, r, 30_000)
	checkShares(t, r, got, 30_000, 0.02)
}

// TestP2CBalancesInFlight simulates calls that stay in flight: the in-flight counts per instance must
// end up close to proportional to the weights.
func TestP2CBalancesInFlight(t *testing.T) {
	lb := loadbalance.NewP2C()
	tracker := lb.(loadbalance.Tracker)
	r := result(10, 30)
	p := lb.GetPicker(r)
	ctx := testCtx(t)
	inflight := map[string]int{}
	for range 400 {
		in, _ := p.Next(ctx, nil)
		tracker.Start(in.Address)
		inflight[in.Address]++
	}
	if a, b := inflight[addr(0)], inflight[addr(1)]; a < 80 || a > 120 || b < 280 || b > 320 {
		t.Errorf("in flight: %d and %d, want about 100 and 300", a, b)
	}
}

func TestP2CDoneWithoutStart(t *testing.T) {
	lb := loadbalance.NewP2C()
	tracker := lb.(loadbalance.Tracker)
	tracker.Done("unknown:1", nil) // must not panic or create state
	r := result(10, 10)
	lb.GetPicker(r)
	tracker.Done(addr(0), nil) // a negative count reads as zero
	got := counts(testCtx(t), t, lb, r, 20_000)
	checkShares(t, r, got, 20_000, 0.02)
}

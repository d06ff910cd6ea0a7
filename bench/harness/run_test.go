package harness

import (
	"slices"
	"testing"
	"time"

	"github.com/ternhq/tern/bench/contenders"
)

func TestRoundOrderAlternates(t *testing.T) {
	if got := roundOrder(3, 1); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("round 1: %v", got)
	}
	if got := roundOrder(3, 2); !slices.Equal(got, []int{2, 1, 0}) {
		t.Errorf("round 2: %v", got)
	}
}

func TestStatOf(t *testing.T) {
	tests := []struct {
		in   []float64
		want Stat
	}{
		{nil, Stat{}},
		{[]float64{3, 1, 2}, Stat{Med: 2, Min: 1, Max: 3}},
		{[]float64{4, 1, 2, 3}, Stat{Med: 2.5, Min: 1, Max: 4}},
	}
	for _, tc := range tests {
		if got := statOf(tc.in); got != tc.want {
			t.Errorf("statOf(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// TestTargetsArePairedByRound checks that ratios compare samples of the same round only.
func TestTargetsArePairedByRound(t *testing.T) {
	a, _ := contenders.Lookup("tern-grpc")
	b, _ := contenders.Lookup("grpc-go")
	r := &Result{
		Config: Config{Contenders: []*contenders.Contender{a, b}},
		Samples: [][]Sample{
			{{Round: 1, QPS: 300, P99: time.Millisecond}, {Round: 2, QPS: 100, P99: time.Millisecond}},
			{{Round: 1, QPS: 100, P99: 2 * time.Millisecond}, {Round: 3, QPS: 1, P99: time.Millisecond}},
		},
		Errs: make([]error, 2),
	}
	ts := r.TargetResults()
	if len(ts) != 1 {
		t.Fatalf("%d targets evaluated, want 1 (tern-grpc vs grpc-go)", len(ts))
	}
	got := ts[0]
	if got.Rounds != 1 || got.QPSRatio.Med != 3 || got.P99Ratio.Med != 0.5 || !got.Met() {
		t.Fatalf("got %+v; want one paired round, QPS 3×, p99 0.5×, met", got)
	}
}

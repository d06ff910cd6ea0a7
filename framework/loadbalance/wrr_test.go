package loadbalance_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/loadbalance"
)

// TestWRRSequence checks one full cycle of smooth weighted round robin. Pickers start at a random
// point of the cycle, so the sequence seen must be a rotation of the expected one.
func TestWRRSequence(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		cycle   string // instance indexes as letters: a = addr(0)...
	}{
		{"nginx example", []int{5, 1, 1}, "aabacaa"},
		{"10/20/70", []int{10, 20, 70}, "cbccaccbcc"},
		{"equal", []int{10, 10, 10, 10}, "abcd"},
		{"default weights", []int{0, 0}, "ab"},
		{"2:1", []int{20, 10}, "aba"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testCtx(t)
			r := result(tt.weights...)
			p := loadbalance.NewWeightedRoundRobin().GetPicker(r)
			n := len(tt.cycle)
			var got strings.Builder
			for range 3 * n {
				in, _ := p.Next(ctx, nil)
				i := slices.IndexFunc(r.Instances, func(x discovery.Instance) bool { return x.Address == in.Address })
				got.WriteByte(byte('a' + i))
			}
			seq := got.String()
			if seq[:n] != seq[n:2*n] || seq[:n] != seq[2*n:] {
				t.Fatalf("sequence %s does not repeat with period %d", seq, n)
			}
			if !strings.Contains(tt.cycle+tt.cycle, seq[:n]) {
				t.Errorf("cycle %s is not a rotation of %s", seq[:n], tt.cycle)
			}
		})
	}
}

// TestWRRLongCycle uses weights whose cycle is too long to precompute: each instance must still get
// exactly its weight's picks over one cycle.
func TestWRRLongCycle(t *testing.T) {
	ws := []int{10007, 10009, 1, 3} // coprime: the cycle is their sum, 20020 picks
	total := 0
	for _, w := range ws {
		total += w
	}
	r := result(ws...)
	got := counts(testCtx(t), t, loadbalance.NewWeightedRoundRobin(), r, total)
	for i, w := range ws {
		if got[addr(i)] != w {
			t.Fatalf("%s got %d picks in one cycle, want %d", addr(i), got[addr(i)], w)
		}
	}
}

// TestWRRPickersStartApart checks that pickers do not all start at the first instance, so that many
// clients do not hit the same instance at once.
func TestWRRPickersStartApart(t *testing.T) {
	ctx := testCtx(t)
	first := map[string]bool{}
	for range 50 {
		in, _ := loadbalance.NewWeightedRoundRobin().GetPicker(result(10, 10, 10, 10)).Next(ctx, nil)
		first[in.Address] = true
	}
	if len(first) < 2 {
		t.Errorf("50 pickers all started at %v", first)
	}
}

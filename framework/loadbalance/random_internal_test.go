package loadbalance

import (
	"math"
	"testing"

	"github.com/ternhq/tern/framework/discovery"
)

// TestAliasTableExact checks that the alias table gives every instance exactly its weight's
// probability (up to the 2^-32 resolution of the coin).
func TestAliasTableExact(t *testing.T) {
	tests := [][]int{
		{10, 20, 70},
		{1, 1, 1, 97},
		{5, 1, 1},
		{10, 10, 20, 20, 30, 30, 40, 40, 50, 60},
		{1000, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		{3, 7},
	}
	for _, ws := range tests {
		total := 0
		for _, w := range ws {
			total += w
		}
		keep, alias := aliasTable(ws, total)
		n := float64(len(ws))
		p := make([]float64, len(ws))
		for col := range ws {
			k := float64(keep[col]) / (1 << 32)
			p[col] += k / n
			p[alias[col]] += (1 - k) / n
		}
		for i, w := range ws {
			if want := float64(w) / float64(total); math.Abs(p[i]-want) > 1e-8 {
				t.Errorf("weights %v: instance %d has probability %.9f, want %.9f", ws, i, p[i], want)
			}
		}
	}
}

func TestVirtualNodes(t *testing.T) {
	inst := func(ws ...int) []discovery.Instance {
		out := make([]discovery.Instance, len(ws))
		for i, w := range ws {
			out[i] = discovery.Instance{Address: "a", Weight: w}
		}
		return out
	}
	tests := []struct {
		name    string
		weights []int
		perNode int
		want    []int
	}{
		{"default weights", []int{0, 10}, 100, []int{100, 100}},
		{"proportional", []int{10, 20, 5}, 100, []int{100, 200, 50}},
		{"at least one", []int{1, 10}, 5, []int{1, 5}},
		{"capped", []int{1 << 30, 1 << 30, 2 << 30}, 100, []int{maxRingPoints / 4, maxRingPoints / 4, maxRingPoints / 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := virtualNodes(inst(tt.weights...), tt.perNode)
			for i := range got {
				if d := got[i] - tt.want[i]; d < -1 || d > 1 {
					t.Fatalf("virtualNodes = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

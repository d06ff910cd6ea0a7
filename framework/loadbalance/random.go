package loadbalance

import (
	"context"
	"math/rand/v2"
	"slices"

	"github.com/ternhq/tern/framework/discovery"
)

// NewWeightedRandom returns a Loadbalancer that picks each call's instance at random, with a chance
// proportional to its weight. It keeps no state between calls, so it spreads load well across many
// clients without coordination.
func NewWeightedRandom() Loadbalancer {
	return &weightedRandom{cache: newPickerCache(func(r discovery.Result) Picker { return newRandomPicker(r.Instances) })}
}

type weightedRandom struct{ cache *pickerCache }

func (b *weightedRandom) GetPicker(r discovery.Result) Picker { return b.cache.get(r) }

// Name returns "weighted_random".
func (b *weightedRandom) Name() string { return "weighted_random" }

// randomPicker draws instances with probability proportional to weight; it is also the fallback of the
// consistent-hash picker and the candidate sampler of P2C. Draws take one random number: Vose's alias
// method picks a column uniformly, then keeps it or takes its alias.
type randomPicker struct {
	instances []discovery.Instance
	weights   []int
	total     int
	// nil when all weights are equal:
	cum []int // cum[i] = weights[0] + ... + weights[i], for indexExcept
	// nil too when weights sum to 2^31 or more:
	keep  []uint64 // column i is kept when a 32-bit random number is below keep[i] (at most 1<<32)
	alias []int32  // the instance a column stands for when not kept
}

func newRandomPicker(instances []discovery.Instance) *randomPicker {
	ws, total := weights(instances)
	p := &randomPicker{instances: instances, weights: ws, total: total}
	if slices.ContainsFunc(ws, func(w int) bool { return w != ws[0] }) {
		p.cum = make([]int, len(ws))
		sum := 0
		for i, w := range ws {
			sum += w
			p.cum[i] = sum
		}
		if total < 1<<31 { // else the alias arithmetic could overflow: binary search on cum
			p.keep, p.alias = aliasTable(ws, total)
		}
	}
	return p
}

// aliasTable builds Vose's alias table for weights summing to total, in exact integer arithmetic:
// each of the n columns holds total units of n×weight mass, its own instance's and its alias's.
func aliasTable(ws []int, total int) (keep []uint64, alias []int32) {
	n := len(ws)
	keep, alias = make([]uint64, n), make([]int32, n)
	mass := make([]int, n)
	var small, large []int
	for i, w := range ws {
		mass[i] = w * n
		if mass[i] < total {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		keep[s] = uint64(mass[s]) << 32 / uint64(total)
		alias[s] = int32(l)
		mass[l] -= total - mass[s] // l fills the rest of s's column
		if mass[l] < total {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range append(small, large...) { // full columns (small only by rounding: none here)
		keep[i], alias[i] = 1<<32, int32(i)
	}
	return keep, alias
}

// Next returns a random instance, weighted.
func (p *randomPicker) Next(context.Context, any) (discovery.Instance, bool) {
	return p.instances[p.index()], true
}

// index draws an instance index, weighted.
func (p *randomPicker) index() int {
	x := rand.Uint64()
	col := int((x >> 32) * uint64(len(p.instances)) >> 32)
	switch {
	case p.keep != nil:
		if x&(1<<32-1) < p.keep[col] {
			return col
		}
		return int(p.alias[col])
	case p.cum != nil:
		return search(p.cum, rand.IntN(p.total))
	}
	return col // equal weights
}

// indexExcept draws an instance index other than i, weighted; there must be at least two instances.
func (p *randomPicker) indexExcept(i int) int {
	if p.cum == nil {
		j := rand.IntN(len(p.instances) - 1)
		if j >= i {
			j++
		}
		return j
	}
	x := rand.IntN(p.total - p.weights[i])
	if x >= p.cum[i]-p.weights[i] { // skip over i's share of [0, total)
		x += p.weights[i]
	}
	return search(p.cum, x)
}

// search returns the smallest i with cum[i] > x; cum is ascending and x < cum[len(cum)-1].
func search(cum []int, x int) int {
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

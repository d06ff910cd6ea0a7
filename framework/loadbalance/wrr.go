package loadbalance

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/ternhq/tern/framework/discovery"
)

// Limits on the precomputed smooth weighted round-robin cycle: beyond them (thousands of instances
// with unequal weights) the picker computes the sequence as it goes, under a lock.
const (
	maxCycle     = 1 << 14 // entries in one cycle
	maxCycleWork = 1 << 22 // cycle length × instances, the cost of precomputing it
)

// NewWeightedRoundRobin returns the default Loadbalancer: smooth weighted round robin, as in nginx.
// Over each cycle every instance gets exactly its share of calls by weight, interleaved rather than in
// bursts (weights 5, 1, 1 give a a b a c a a). Each picker starts at a random point in the cycle so that
// many clients do not move in lockstep. Picking is one atomic increment.
func NewWeightedRoundRobin() Loadbalancer {
	return &weightedRoundRobin{cache: newPickerCache(func(r discovery.Result) Picker { return newWRRPicker(r.Instances) })}
}

type weightedRoundRobin struct{ cache *pickerCache }

func (b *weightedRoundRobin) GetPicker(r discovery.Result) Picker { return b.cache.get(r) }

// Name returns "weighted_round_robin".
func (b *weightedRoundRobin) Name() string { return "weighted_round_robin" }

// wrrPicker walks the smooth weighted round-robin sequence of its instances. With equal weights the
// sequence is plain round robin; otherwise one cycle is precomputed into seq when small enough, else it
// is computed per pick under mu.
type wrrPicker struct {
	instances []discovery.Instance
	seq       []int32 // one cycle of instance indexes; nil for plain round robin or the locked mode
	ctr       atomic.Uint64

	// locked mode, used when seq would be too large
	mu      sync.Mutex
	weights []int
	current []int
	total   int
}

func newWRRPicker(instances []discovery.Instance) *wrrPicker {
	ws, _ := weights(instances)
	g := 0
	for _, w := range ws {
		g = gcd(g, w)
	}
	cycle := 0
	for i := range ws {
		ws[i] /= g
		cycle += ws[i]
	}
	p := &wrrPicker{instances: instances}
	switch {
	case cycle == len(ws): // equal weights
		p.ctr.Store(rand.Uint64N(uint64(cycle)))
	case cycle <= maxCycle && cycle*len(ws) <= maxCycleWork:
		p.seq = smoothCycle(ws, cycle)
		p.ctr.Store(rand.Uint64N(uint64(cycle)))
	default:
		p.weights, p.current, p.total = ws, make([]int, len(ws)), cycle
	}
	return p
}

// Next returns the next instance in the sequence.
func (p *wrrPicker) Next(context.Context, any) (discovery.Instance, bool) {
	if p.current != nil {
		return p.instances[p.nextLocked()], true
	}
	n := p.ctr.Add(1) - 1
	if p.seq == nil {
		return p.instances[n%uint64(len(p.instances))], true
	}
	return p.instances[p.seq[n%uint64(len(p.seq))]], true
}

func (p *wrrPicker) nextLocked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return smoothStep(p.weights, p.current, p.total)
}

// smoothCycle returns one full cycle (length cycle = sum of weights) of the smooth weighted
// round-robin sequence.
func smoothCycle(weights []int, cycle int) []int32 {
	current := make([]int, len(weights))
	seq := make([]int32, cycle)
	for i := range seq {
		seq[i] = int32(smoothStep(weights, current, cycle))
	}
	return seq
}

// smoothStep is one step of nginx's smooth weighted round robin: every instance gains its weight, the
// richest (first on ties) is picked and pays the total.
func smoothStep(weights, current []int, total int) int {
	best := 0
	for i, w := range weights {
		current[i] += w
		if current[i] > current[best] {
			best = i
		}
	}
	current[best] -= total
	return best
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

package loadbalance

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/ternhq/tern/framework/discovery"
)

// NewP2C returns a Loadbalancer using the power of two choices: for each call it draws two different
// instances at random (weighted) and picks the one with fewer calls in flight per unit of weight. It
// is a Tracker: the client's Start and Done calls keep the in-flight counts, per address, across
// picker rebuilds. Instances that respond slowly accumulate calls in flight and so receive fewer new
// ones; with no calls in flight it behaves like weighted random.
func NewP2C() Loadbalancer {
	b := &p2c{live: map[string][]string{}}
	b.counters.Store(&map[string]*atomic.Int64{})
	b.cache = newPickerCache(b.build)
	return b
}

type p2c struct {
	cache    *pickerCache
	counters atomic.Pointer[map[string]*atomic.Int64] // in-flight calls by address; copy-on-write under mu
	mu       sync.Mutex
	live     map[string][]string // addresses of each service's latest versioned Result, under mu
}

var _ Tracker = (*p2c)(nil)

func (b *p2c) GetPicker(r discovery.Result) Picker { return b.cache.get(r) }

// Name returns "p2c".
func (b *p2c) Name() string { return "p2c" }

// Start counts a call to addr as in flight.
func (b *p2c) Start(addr string) { b.counter(addr).Add(1) }

// Done counts a call to addr as finished; its error does not matter to P2C.
func (b *p2c) Done(addr string, _ error) {
	if c := (*b.counters.Load())[addr]; c != nil {
		c.Add(-1)
	}
}

// counter returns addr's counter, creating it.
func (b *p2c) counter(addr string) *atomic.Int64 {
	if c := (*b.counters.Load())[addr]; c != nil {
		return c
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	old := *b.counters.Load()
	if c := old[addr]; c != nil {
		return c
	}
	c := new(atomic.Int64)
	m := make(map[string]*atomic.Int64, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[addr] = c
	b.counters.Store(&m)
	return c
}

// build makes r's picker and forgets the idle counters of addresses no service lists any more.
func (b *p2c) build(r discovery.Result) Picker {
	p := &p2cPicker{rnd: newRandomPicker(r.Instances), inflight: make([]*atomic.Int64, len(r.Instances))}
	addrs := make([]string, len(r.Instances))
	for i, in := range r.Instances {
		p.inflight[i] = b.counter(in.Address)
		addrs[i] = in.Address
	}
	if r.Version != 0 {
		b.collect(r.Service, addrs)
	}
	return p
}

// collect records service's addresses and drops idle counters of addresses in no service. A call that
// starts on a dropped counter concurrently may leave the next counter of that address at -1 when it
// is done; counts are read as at least zero.
func (b *p2c) collect(service string, addrs []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.live[service] = addrs
	inUse := map[string]bool{}
	for _, list := range b.live {
		for _, a := range list {
			inUse[a] = true
		}
	}
	old := *b.counters.Load()
	m := make(map[string]*atomic.Int64, len(inUse))
	for a, c := range old {
		if inUse[a] || c.Load() > 0 {
			m[a] = c
		}
	}
	b.counters.Store(&m)
}

// p2cPicker holds, for each instance, the shared in-flight counter of its address.
type p2cPicker struct {
	rnd      *randomPicker
	inflight []*atomic.Int64
}

// Next draws two different instances, weighted, and returns the less loaded by in-flight calls per
// unit of weight; on a tie, the first drawn.
func (p *p2cPicker) Next(context.Context, any) (discovery.Instance, bool) {
	inst := p.rnd.instances
	if len(inst) == 1 {
		return inst[0], true
	}
	i := p.rnd.index()
	j := p.rnd.indexExcept(i)
	li, lj := max(p.inflight[i].Load(), 0), max(p.inflight[j].Load(), 0)
	// li/wi > lj/wj, without division
	if li*int64(p.rnd.weights[j]) > lj*int64(p.rnd.weights[i]) {
		return inst[j], true
	}
	return inst[i], true
}

// Package loadbalance chooses which instance of a service gets each call.
//
// A Loadbalancer turns a discovery.Result into a Picker, and the Picker chooses an instance per call:
//
//	lb := loadbalance.NewWeightedRoundRobin()
//	res, _ := cache.Get(ctx, "echo")
//	inst, ok := lb.GetPicker(res).Next(ctx, req)
//
// GetPicker is cheap to call per call: every balancer here keeps the picker of each service's latest
// Result and builds a new one only when the Result's Version changes. Next never allocates (the
// consistent-hash balancer may when it has no key and the key function allocates).
//
// A Loadbalancer that wants to know about calls in progress also implements Tracker; the client calls
// Start and Done around each call to a picked instance.
package loadbalance

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/ternhq/tern/framework/discovery"
)

// Picker chooses instances from one Result. Implementations must be safe for concurrent use.
type Picker interface {
	// Next returns the instance for a call with request req, or false if there is none.
	Next(ctx context.Context, req any) (discovery.Instance, bool)
}

// Loadbalancer builds Pickers. Implementations must be safe for concurrent use.
type Loadbalancer interface {
	// GetPicker returns a Picker over r's instances. Balancers cache the picker per Service and
	// Version, so calling GetPicker per call is cheap; a Result with Version 0 gets a fresh picker.
	GetPicker(r discovery.Result) Picker
	// Name identifies the balancer ("weighted_round_robin", "p2c"...).
	Name() string
}

// Tracker is an optional capability of a Loadbalancer that wants to see calls: the client calls Start
// before each call to the picked instance's address and Done after it, with the call's error.
type Tracker interface {
	Start(addr string)
	Done(addr string, err error)
}

// emptyPicker is the Picker of a Result without instances.
type emptyPicker struct{}

func (emptyPicker) Next(context.Context, any) (discovery.Instance, bool) {
	return discovery.Instance{}, false
}

// pickerCache keeps the picker of each service's latest Result. Lookups are lock-free and
// allocation-free; builds are serialised.
type pickerCache struct {
	build   func(discovery.Result) Picker
	mu      sync.Mutex
	pickers atomic.Pointer[map[string]*versionedPicker] // copy-on-write under mu
}

type versionedPicker struct {
	version uint64
	picker  Picker
}

func newPickerCache(build func(discovery.Result) Picker) *pickerCache {
	c := &pickerCache{build: build}
	c.pickers.Store(&map[string]*versionedPicker{})
	return c
}

// get returns r's picker, building it if r's Version is new for r's Service.
func (c *pickerCache) get(r discovery.Result) Picker {
	if len(r.Instances) == 0 {
		return emptyPicker{}
	}
	if r.Version == 0 {
		return c.build(r)
	}
	if vp := (*c.pickers.Load())[r.Service]; vp != nil && vp.version == r.Version {
		return vp.picker
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.pickers.Load()
	if vp := old[r.Service]; vp != nil && vp.version == r.Version {
		return vp.picker // built by another caller meanwhile
	}
	p := c.build(r)
	m := make(map[string]*versionedPicker, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[r.Service] = &versionedPicker{version: r.Version, picker: p}
	c.pickers.Store(&m)
	return p
}

// weights returns the effective weights of instances and their sum.
func weights(instances []discovery.Instance) ([]int, int) {
	ws := make([]int, len(instances))
	total := 0
	for i, in := range instances {
		ws[i] = in.EffectiveWeight()
		total += ws[i]
	}
	return ws, total
}

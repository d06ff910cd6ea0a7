// Package discovery finds the instances that serve a service: the Instance and Result types, the Resolver
// interface that registries implement, a static resolver for fixed addresses, and Cache, which keeps
// resolved lists current in the background so that a call never waits for the registry.
//
// A client resolves through a Cache:
//
//	cache := discovery.NewCache(resolver, discovery.DefaultCacheConfig())
//	defer cache.Close()
//	res, err := cache.Get(ctx, "echo") // synchronous the first time, from memory afterwards
//
// A Resolver that can push changes also implements Watcher; Cache finds it by type assertion and uses it
// next to periodic polling.
package discovery

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"sync/atomic"
)

// DefaultWeight is the weight of an Instance whose Weight is zero or negative.
const DefaultWeight = 10

// Instance is one address that serves a service. Treat instances received from a Resolver or Cache as
// read-only: they, and their Tags maps, may be shared.
type Instance struct {
	Address string            // host:port
	Weight  int               // relative share of traffic; <= 0 means DefaultWeight
	Tags    map[string]string // free-form labels (zone, cluster, version...)
}

// EffectiveWeight returns the instance's weight, DefaultWeight when Weight is not positive.
func (in Instance) EffectiveWeight() int {
	if in.Weight <= 0 {
		return DefaultWeight
	}
	return in.Weight
}

// Tag returns the value of tag k and whether the instance has it.
func (in Instance) Tag(k string) (string, bool) {
	v, ok := in.Tags[k]
	return v, ok
}

// Equal reports whether two instances have the same address, effective weight and tags.
func (in Instance) Equal(o Instance) bool {
	return in.Address == o.Address && in.EffectiveWeight() == o.EffectiveWeight() && maps.Equal(in.Tags, o.Tags)
}

// String formats the instance as "address" or "address(weight)" when the weight is not the default.
func (in Instance) String() string {
	if w := in.EffectiveWeight(); w != DefaultWeight {
		return in.Address + "(" + strconv.Itoa(w) + ")"
	}
	return in.Address
}

// Result is what a Resolver knows about a service at one moment.
type Result struct {
	Service   string
	Instances []Instance // read-only; may be shared with other holders of the Result
	// Version identifies the instance list: it changes whenever Instances change, and two Results of
	// the same Service with the same non-zero Version have equal Instances. Zero means unversioned.
	// Take versions from NewVersion so that they are unique in the process.
	Version uint64
}

// Resolver looks up the instances of a service. Implementations must be safe for concurrent use.
type Resolver interface {
	// Resolve returns the current instances of service. A service nobody serves yields an empty
	// Result, not an error; errors mean the lookup itself failed (registry unreachable...).
	Resolve(ctx context.Context, service string) (Result, error)
	// Name identifies the resolver in logs and metrics ("static", "nacos"...).
	Name() string
}

// Watcher is an optional capability of a Resolver: pushing changes instead of being polled.
type Watcher interface {
	// Watch calls onChange with the full Result each time the instances of service change, until
	// stop is called or ctx is done. onChange may also be called with the current state once, soon
	// after Watch returns. Calls are sequential; onChange must not call stop. After stop returns,
	// onChange is not called again.
	Watch(ctx context.Context, service string, onChange func(Result)) (stop func(), err error)
}

var versionSeq atomic.Uint64

// NewVersion returns a Result version never returned before in this process (never zero). Resolvers
// call it each time a service's instance list changes, so that versions from different resolvers,
// caches and registries never collide.
func NewVersion() uint64 { return versionSeq.Add(1) }

// SameInstances reports whether a and b hold the same instances, ignoring order: equal addresses,
// effective weights and tags, with duplicates counted.
func SameInstances(a, b []Instance) bool {
	if len(a) != len(b) {
		return false
	}
	if slices.EqualFunc(a, b, Instance.Equal) {
		return true // the common case: same order
	}
	return slices.EqualFunc(Sorted(a), Sorted(b), Instance.Equal)
}

// Sorted returns a copy of instances in a canonical order: by address, then weight, then tags. The Tags
// maps are copied too, so the result shares nothing with its input.
func Sorted(instances []Instance) []Instance {
	out := Clone(instances)
	slices.SortFunc(out, compareInstances)
	return out
}

// Clone returns a copy of instances that shares nothing with it, Tags maps included.
func Clone(instances []Instance) []Instance {
	out := make([]Instance, len(instances))
	for i, in := range instances {
		in.Tags = maps.Clone(in.Tags)
		out[i] = in
	}
	return out
}

func compareInstances(a, b Instance) int {
	if c := cmp.Compare(a.Address, b.Address); c != 0 {
		return c
	}
	if c := cmp.Compare(a.EffectiveWeight(), b.EffectiveWeight()); c != 0 {
		return c
	}
	return compareTags(a.Tags, b.Tags)
}

// compareTags orders tag maps by their sorted key/value pairs; only needed to break ties between
// instances that share an address, so its cost does not matter.
func compareTags(a, b map[string]string) int {
	ka, kb := slices.Sorted(maps.Keys(a)), slices.Sorted(maps.Keys(b))
	for i := 0; i < len(ka) && i < len(kb); i++ {
		if c := cmp.Compare(ka[i], kb[i]); c != 0 {
			return c
		}
		if c := cmp.Compare(a[ka[i]], b[kb[i]]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(ka), len(kb))
}

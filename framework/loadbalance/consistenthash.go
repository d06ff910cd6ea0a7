package loadbalance

import (
	"cmp"
	"context"
	"slices"

	"github.com/ternhq/tern/framework/discovery"
)

// ConsistentHashConfig tunes NewConsistentHash. Zero fields take the defaults of
// DefaultConsistentHashConfig.
type ConsistentHashConfig struct {
	// KeyFunc derives a call's hash key; false means the call has none and goes to a random instance
	// (weighted). Default: HashKeyFromContext, the key set with WithHashKey.
	KeyFunc func(ctx context.Context, req any) (string, bool)
	// VirtualNodes is how many points on the ring an instance of discovery.DefaultWeight gets; an
	// instance of weight w gets VirtualNodes×w/DefaultWeight, at least one. More points spread keys
	// more evenly and cost memory (16 bytes each) and a slightly deeper search. Default 100.
	VirtualNodes int
}

// DefaultConsistentHashConfig returns the configuration NewConsistentHash uses for zero fields.
func DefaultConsistentHashConfig() ConsistentHashConfig {
	return ConsistentHashConfig{KeyFunc: keyFromContext, VirtualNodes: 100}
}

type hashKeyCtxKey struct{}

// WithHashKey returns a context whose calls the default consistent-hash balancer routes by key: calls
// with equal keys go to the same instance while the instance list stays the same.
func WithHashKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, hashKeyCtxKey{}, key)
}

// HashKeyFromContext returns the key set by WithHashKey, if any.
func HashKeyFromContext(ctx context.Context) (string, bool) {
	key, ok := ctx.Value(hashKeyCtxKey{}).(string)
	return key, ok
}

func keyFromContext(ctx context.Context, _ any) (string, bool) { return HashKeyFromContext(ctx) }

// NewConsistentHash returns a Loadbalancer that maps each call's key onto a hash ring of virtual nodes,
// so equal keys reach the same instance, and a change of instances moves only the keys of the
// instances added or removed (about 1/(N+1) of all keys when one joins N). Instances get points in
// proportion to their weights. Rings are the same in every process for the same instances: hashing is
// FNV-1a with a 64-bit finaliser, not seeded per process.
func NewConsistentHash(cfg ConsistentHashConfig) Loadbalancer {
	def := DefaultConsistentHashConfig()
	if cfg.KeyFunc == nil {
		cfg.KeyFunc = def.KeyFunc
	}
	if cfg.VirtualNodes <= 0 {
		cfg.VirtualNodes = def.VirtualNodes
	}
	b := &consistentHash{cfg: cfg}
	b.cache = newPickerCache(func(r discovery.Result) Picker { return newHashPicker(r.Instances, cfg) })
	return b
}

type consistentHash struct {
	cfg   ConsistentHashConfig
	cache *pickerCache
}

func (b *consistentHash) GetPicker(r discovery.Result) Picker { return b.cache.get(r) }

// Name returns "consistent_hash".
func (b *consistentHash) Name() string { return "consistent_hash" }

// hashPicker is a ring: points sorted by hash, each owned by an instance.
type hashPicker struct {
	keyFunc   func(context.Context, any) (string, bool)
	instances []discovery.Instance
	hashes    []uint64 // ascending
	owners    []int32  // owners[i] is the instance index of hashes[i]
	fallback  *randomPicker
}

func newHashPicker(instances []discovery.Instance, cfg ConsistentHashConfig) *hashPicker {
	type point struct {
		hash  uint64
		owner int32
	}
	counts := virtualNodes(instances, cfg.VirtualNodes)
	points := make([]point, 0, len(instances)*cfg.VirtualNodes)
	for i, in := range instances {
		n := counts[i]
		base := fnv1a(in.Address)
		for v := range n {
			points = append(points, point{hash: fmix64(base + uint64(v)*0x9e3779b97f4a7c15), owner: int32(i)})
		}
	}
	// Ties (equal hashes) are broken by address, so the ring does not depend on the instances' order.
	slices.SortFunc(points, func(a, b point) int {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		return cmp.Compare(instances[a.owner].Address, instances[b.owner].Address)
	})
	p := &hashPicker{
		keyFunc:   cfg.KeyFunc,
		instances: instances,
		hashes:    make([]uint64, len(points)),
		owners:    make([]int32, len(points)),
		fallback:  newRandomPicker(instances),
	}
	for i, pt := range points {
		p.hashes[i], p.owners[i] = pt.hash, pt.owner
	}
	return p
}

// maxRingPoints caps the size of a ring (16 bytes a point) whatever the weights.
const maxRingPoints = 1 << 18

// virtualNodes returns how many ring points each instance gets: perNode×weight/DefaultWeight, at least
// one, scaled down proportionally if the ring would exceed maxRingPoints.
func virtualNodes(instances []discovery.Instance, perNode int) []int {
	want := make([]float64, len(instances))
	total := 0.0
	for i, in := range instances {
		want[i] = float64(perNode) * float64(in.EffectiveWeight()) / discovery.DefaultWeight
		total += want[i]
	}
	scale := min(1, maxRingPoints/total)
	counts := make([]int, len(instances))
	for i, w := range want {
		counts[i] = max(int(w*scale), 1)
	}
	return counts
}

// Next returns the instance owning the first ring point at or after the key's hash, or a random
// instance when the call has no key.
func (p *hashPicker) Next(ctx context.Context, req any) (discovery.Instance, bool) {
	key, ok := p.keyFunc(ctx, req)
	if !ok {
		return p.fallback.Next(ctx, req)
	}
	return p.instances[p.owner(hashKey(key))], true
}

// owner returns the instance index owning hash h.
func (p *hashPicker) owner(h uint64) int {
	lo, hi := 0, len(p.hashes)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if p.hashes[mid] < h {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(p.hashes) {
		lo = 0 // past the last point: wrap around the ring
	}
	return int(p.owners[lo])
}

// hashKey hashes a call key onto the ring.
func hashKey(key string) uint64 { return fmix64(fnv1a(key)) }

// fnv1a is the 64-bit FNV-1a hash of s.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// fmix64 is MurmurHash3's finaliser: it spreads FNV's output, weak in the high bits for short inputs,
// over all 64 bits.
func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb3e53fe9ec1a
	h ^= h >> 33
	return h
}

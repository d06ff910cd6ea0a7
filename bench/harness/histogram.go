package harness

import (
	"math/bits"
	"time"
)

// Histogram counts latencies in log-linear buckets: exact below subBuckets nanoseconds, then
// subBuckets buckets per power of two, so a recorded value is off by at most 1/subBuckets (1.6%).
// Recording is a few instructions and allocates nothing; each worker has its own histogram and the
// harness merges them after the run.
type Histogram struct {
	counts [numBuckets]uint32
	total  uint64
	max    time.Duration
}

const (
	subBits    = 6
	subBuckets = 1 << subBits
	// maxShift covers latencies up to 2^(maxShift+subBits+1) ns (about 137 s); longer ones are clamped.
	maxShift   = 30
	numBuckets = subBuckets + (maxShift+1)*subBuckets
)

// bucketOf returns the bucket holding v nanoseconds.
func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1 // v>>shift is in [subBuckets, 2*subBuckets)
	if shift > maxShift {
		return numBuckets - 1
	}
	return subBuckets + shift*subBuckets + int(v>>uint(shift)) - subBuckets
}

// bucketValue returns the middle of bucket i, in nanoseconds.
func bucketValue(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	shift := (i - subBuckets) / subBuckets
	mant := uint64(i-subBuckets)%subBuckets + subBuckets
	lo := mant << uint(shift)
	return lo + (uint64(1)<<uint(shift))/2
}

// Record adds one latency.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.total++
	if d > h.max {
		h.max = d
	}
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// Count returns the number of latencies recorded.
func (h *Histogram) Count() uint64 { return h.total }

// Reset forgets every latency.
func (h *Histogram) Reset() { *h = Histogram{} }

// Quantile returns the latency below which a fraction q (0..1) of the calls fall.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q*float64(h.total) + 0.5)
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			return min(time.Duration(bucketValue(i)), h.max)
		}
	}
	return h.max
}

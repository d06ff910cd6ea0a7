package circuitbreak

import (
	"sync"
	"sync/atomic"
)

// window counts successes and failures over a sliding span of time, kept as a ring of buckets. Adding
// is lock-free except when a bucket is recycled (once per bucket width); counts near a bucket boundary
// may land in the neighbouring bucket, which is harmless for an error rate.
type window struct {
	width   int64 // nanoseconds per bucket
	buckets []bucket
	mu      sync.Mutex // serialises recycling a bucket
}

type bucket struct {
	epoch atomic.Int64 // index of the time slot (now/width) the counts belong to
	ok    atomic.Int64
	fail  atomic.Int64
}

func newWindow(span int64, n int) *window {
	w := &window{width: span / int64(n), buckets: make([]bucket, n)}
	w.reset()
	return w
}

// add counts one call at time t (nanoseconds since the Set's start).
func (w *window) add(t int64, failed bool) {
	idx := t / w.width
	b := &w.buckets[idx%int64(len(w.buckets))]
	if e := b.epoch.Load(); e != idx {
		if e > idx {
			return // the slot has moved on: t is older than the whole window
		}
		w.recycle(b, idx)
	}
	if failed {
		b.fail.Add(1)
	} else {
		b.ok.Add(1)
	}
}

// recycle empties b and then claims it for slot idx, unless another goroutine got there first.
func (w *window) recycle(b *bucket, idx int64) {
	w.mu.Lock()
	if b.epoch.Load() < idx {
		b.ok.Store(0)
		b.fail.Store(0)
		b.epoch.Store(idx)
	}
	w.mu.Unlock()
}

// sum returns the counts of the buckets that lie within the window ending at time t.
func (w *window) sum(t int64) (ok, fail int64) {
	idx := t / w.width
	oldest := idx - int64(len(w.buckets))
	for i := range w.buckets {
		b := &w.buckets[i]
		if e := b.epoch.Load(); e > oldest && e <= idx {
			ok += b.ok.Load()
			fail += b.fail.Load()
		}
	}
	return ok, fail
}

// reset forgets every count.
func (w *window) reset() {
	w.mu.Lock()
	for i := range w.buckets {
		b := &w.buckets[i]
		b.epoch.Store(-1 << 62)
		b.ok.Store(0)
		b.fail.Store(0)
	}
	w.mu.Unlock()
}

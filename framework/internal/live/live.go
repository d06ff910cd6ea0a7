// Package live keeps track of the values of a kind that are still in use (clients, servers), for
// diagnostics: weakly, so that tracking keeps none of them alive, and each one leaves the set when it is
// garbage collected.
package live

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
	"weak"
)

// Set tracks values of type T. The zero Set is ready to use.
type Set[T any] struct {
	mu   sync.Mutex
	seq  uint64
	vals map[weak.Pointer[T]]uint64 // creation order
}

// Add tracks v until it is garbage collected.
func (s *Set[T]) Add(v *T) {
	wp := weak.Make(v)
	s.mu.Lock()
	if s.vals == nil {
		s.vals = make(map[weak.Pointer[T]]uint64)
	}
	s.seq++
	s.vals[wp] = s.seq
	s.mu.Unlock()
	runtime.AddCleanup(v, s.remove, wp)
}

func (s *Set[T]) remove(wp weak.Pointer[T]) {
	s.mu.Lock()
	delete(s.vals, wp)
	s.mu.Unlock()
}

// All returns the tracked values for which keep is true, oldest first.
func (s *Set[T]) All(keep func(*T) bool) []*T {
	type entry struct {
		seq uint64
		v   *T
	}
	s.mu.Lock()
	entries := make([]entry, 0, len(s.vals))
	for wp, seq := range s.vals {
		if v := wp.Value(); v != nil && keep(v) {
			entries = append(entries, entry{seq, v})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]*T, len(entries))
	for i, e := range entries {
		out[i] = e.v
	}
	return out
}

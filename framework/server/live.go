package server

import (
	"runtime"
	"sort"
	"sync"
	"weak"
)

// live tracks every server NewServer made that is still reachable, for diagnostics (package debug):
// weakly, so that tracking keeps no server alive, and each entry goes when its server is collected.
var live struct {
	mu      sync.Mutex
	seq     uint64
	servers map[weak.Pointer[Server]]uint64 // by creation order
}

// track adds s to the live servers.
func track(s *Server) {
	wp := weak.Make(s)
	live.mu.Lock()
	if live.servers == nil {
		live.servers = make(map[weak.Pointer[Server]]uint64)
	}
	live.seq++
	live.servers[wp] = live.seq
	live.mu.Unlock()
	runtime.AddCleanup(s, untrack, wp)
}

func untrack(wp weak.Pointer[Server]) {
	live.mu.Lock()
	delete(live.servers, wp)
	live.mu.Unlock()
}

// Servers returns every server made by NewServer that has not stopped (nor been garbage collected),
// oldest first, for diagnostics. Server.Describe shows what each is doing.
func Servers() []*Server {
	type entry struct {
		seq uint64
		s   *Server
	}
	live.mu.Lock()
	entries := make([]entry, 0, len(live.servers))
	for wp, seq := range live.servers {
		if s := wp.Value(); s != nil && !s.hasStopped() {
			entries = append(entries, entry{seq, s})
		}
	}
	live.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].seq < entries[j].seq })
	out := make([]*Server, len(entries))
	for i, e := range entries {
		out[i] = e.s
	}
	return out
}

// hasStopped reports whether Stop has finished.
func (s *Server) hasStopped() bool {
	select {
	case <-s.stopped:
		return true
	default:
		return false
	}
}

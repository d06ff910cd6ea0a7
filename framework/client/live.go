package client

import (
	"runtime"
	"sort"
	"sync"
	"weak"
)

// live tracks every client NewClient made that is still reachable, for diagnostics (package debug):
// weakly, so that tracking keeps no client alive, and each entry goes when its client is collected.
var live struct {
	mu      sync.Mutex
	seq     uint64
	clients map[weak.Pointer[client]]uint64 // by creation order
}

// track adds c to the live clients.
func track(c *client) {
	wp := weak.Make(c)
	live.mu.Lock()
	if live.clients == nil {
		live.clients = make(map[weak.Pointer[client]]uint64)
	}
	live.seq++
	live.clients[wp] = live.seq
	live.mu.Unlock()
	runtime.AddCleanup(c, untrack, wp)
}

func untrack(wp weak.Pointer[client]) {
	live.mu.Lock()
	delete(live.clients, wp)
	live.mu.Unlock()
}

// Clients returns every client made by NewClient that is not closed (nor garbage collected), oldest
// first, for diagnostics. Describe shows what each is doing.
func Clients() []Client {
	type entry struct {
		seq uint64
		c   *client
	}
	live.mu.Lock()
	entries := make([]entry, 0, len(live.clients))
	for wp, seq := range live.clients {
		if c := wp.Value(); c != nil && !c.closed.Load() {
			entries = append(entries, entry{seq, c})
		}
	}
	live.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].seq < entries[j].seq })
	out := make([]Client, len(entries))
	for i, e := range entries {
		out[i] = e.c
	}
	return out
}

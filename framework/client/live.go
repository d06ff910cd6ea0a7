package client

import "github.com/ternhq/tern/framework/internal/live"

// clients tracks every client NewClient made that is still reachable, for diagnostics (package debug).
var clients live.Set[client]

// Clients returns every client made by NewClient that is not closed (nor garbage collected), oldest
// first, for diagnostics. Describe shows what each is doing.
func Clients() []Client {
	open := clients.All(func(c *client) bool { return !c.closed.Load() })
	out := make([]Client, len(open))
	for i, c := range open {
		out[i] = c
	}
	return out
}

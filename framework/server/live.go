package server

import "github.com/ternhq/tern/framework/internal/live"

// servers tracks every server NewServer made that is still reachable, for diagnostics (package debug).
var servers live.Set[Server]

// Servers returns every server made by NewServer that has not stopped (nor been garbage collected),
// oldest first, for diagnostics. Server.Describe shows what each is doing.
func Servers() []*Server {
	return servers.All(func(s *Server) bool { return !s.hasStopped() })
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

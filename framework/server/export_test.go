package server

import "github.com/ternhq/tern/framework/transport"

// ServeConnForTest builds the routes Start would build and returns the reading side of a connection
// the server accepted on tc: each call reads and serves one request, as netpoll's OnRead does.
func ServeConnForTest(s *Server, tc transport.Conn) (onRead func() error, err error) {
	s.mu.Lock()
	err = s.buildRoutes()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	c := s.accept(tc).(*conn)
	return func() error { return c.OnRead(tc) }, nil
}

// SetYieldForTest makes f what a multiplexed connection's first reply calls before flushing, in place
// of runtime.Gosched, until restore is called.
func SetYieldForTest(f func()) (restore func()) {
	old := yield
	yield = f
	return func() { yield = old }
}

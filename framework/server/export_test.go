package server

import "github.com/ternhq/tern/framework/transport"

// ServeConnForTest builds the routes Start would build and accepts tc as a connection. onRead reads
// and serves one request, as netpoll's OnRead does; inflight reports the calls the connection has in
// flight.
func ServeConnForTest(s *Server, tc transport.Conn) (onRead func() error, inflight func() int, err error) {
	s.mu.Lock()
	err = s.buildRoutes()
	s.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	c := s.accept(tc).(*conn)
	return func() error { return c.OnRead(tc) }, func() int { return int(c.inflight.Load()) }, nil
}

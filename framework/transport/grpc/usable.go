package grpc

// Usable reports whether new calls may start on cc: it has not closed, and the server has not sent a
// GOAWAY (after which calls already under way finish, and new ones belong on a new connection).
func (cc *ClientConn) Usable() bool {
	cc.c.mu.Lock()
	defer cc.c.mu.Unlock()
	return cc.c.err == nil && !cc.c.draining && cc.nextID < 1<<31-1
}

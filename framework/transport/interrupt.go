package transport

import "syscall"

// Interrupt wakes whatever goroutine is blocked reading from or writing to conn, making those calls fail,
// without releasing the connection's buffers.
//
// netpoll frees a client connection's buffers inside Close, on the goroutine that calls it, so only the
// goroutine using the connection may close it; any other goroutine (a cancelled context, a failing
// multiplexed connection) interrupts it instead and lets the owner close. Interrupt shuts the socket down
// when the connection exposes its descriptor (netpoll's connections do; wrappers are looked through with
// an Unwrap() Conn method) and falls back to Close otherwise, which is safe for connections whose Close
// may be called concurrently, as the standard library's are.
func Interrupt(conn Conn) error {
	c := conn
	for {
		u, ok := c.(interface{ Unwrap() Conn })
		if !ok {
			break
		}
		c = u.Unwrap()
	}
	if f, ok := c.(interface{ Fd() int }); ok {
		return syscall.Shutdown(f.Fd(), syscall.SHUT_RDWR)
	}
	return conn.Close()
}

package netpoll

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	cwnetpoll "github.com/cloudwego/netpoll"

	"github.com/ternhq/tern/framework/transport"
)

// ConnHandler serves one accepted connection.
type ConnHandler interface {
	// OnRead is called, never concurrently with itself, whenever bytes are readable. It should read whole
	// messages; returning an error closes the connection.
	OnRead(conn transport.Conn) error
	// OnClose is called once when the connection closes, whichever side closed it, before netpoll
	// releases the connection's buffers.
	OnClose(conn transport.Conn)
}

// Server serves accepted connections on netpoll's pollers.
type Server struct {
	accept func(conn transport.Conn) ConnHandler
	evl    cwnetpoll.EventLoop
	ln     *listener
	served chan struct{} // closed when Serve returns

	mu      sync.Mutex
	open    int           // accepted connections not yet closed
	drained chan struct{} // set by Close; closed once open is zero
}

type handlerKey struct{}

// NewServer returns a server for ln, a TCP listener, whose accept function gives each new connection its
// handler (nil refuses the connection: it is closed at once). Call Serve to start accepting.
func NewServer(ln net.Listener, accept func(conn transport.Conn) ConnHandler) (*Server, error) {
	l, err := newListener(ln)
	if err != nil {
		return nil, err
	}
	s := &Server{accept: accept, ln: l, served: make(chan struct{})}
	s.evl, err = cwnetpoll.NewEventLoop(s.onRequest, cwnetpoll.WithOnPrepare(s.onPrepare))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Serve accepts connections until StopAccepting or Close; it blocks, and returns nil once stopped.
func (s *Server) Serve() error {
	defer close(s.served)
	err := s.evl.Serve(s.ln)
	if s.ln.stopped.Load() {
		return nil
	}
	return err
}

// StopAccepting makes the listening socket refuse new connections at once, while accepted connections
// go on being served. (The socket is shut down rather than closed: closing it while the poller still
// watches it could let a new connection reuse its descriptor.)
func (s *Server) StopAccepting() {
	if s.ln.stopped.Swap(true) {
		return
	}
	_ = syscall.Shutdown(s.ln.fd, syscall.SHUT_RD)
}

// Close stops accepting and releases the listener once netpoll has let go of it; connections still
// open are closed once idle, or when ctx ends. Serve must have been called.
//
// The order matters. Stopping makes the poller see the listener fail, detach it from epoll and end
// Serve; netpoll's Shutdown detaches it too and then closes it. Were Shutdown to run first, the
// poller's late detach could hit the listener's descriptor number after it was closed and reused — by
// the next listener or connection of the process, which would then silently get no events. So Close
// waits for Serve to end (the poller is done with the listener) before Shutdown — for a second at
// most: should the poller never see the listener fail, Shutdown ends Serve itself.
//
// Close returns once every connection this server accepted is closed, without waiting for netpoll
// to agree: netpoll records a connection in its table only after registering it with the poller, so
// a connection whose peer hangs up within that window is recorded after it closed, stays in the
// table for good, and would hold Shutdown until ctx ends.
func (s *Server) Close(ctx context.Context) error {
	s.StopAccepting()
	wait := time.NewTimer(time.Second)
	select {
	case <-s.served:
	case <-wait.C:
	case <-ctx.Done():
	}
	wait.Stop()

	drained := make(chan struct{})
	s.mu.Lock()
	if s.open == 0 {
		close(drained)
	} else {
		s.drained = drained
	}
	s.mu.Unlock()
	shutCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-drained:
			cancel()
		case <-shutCtx.Done():
		}
	}()
	err := s.evl.Shutdown(shutCtx) // detaches and closes the listener, then closes idle connections
	_ = s.ln.Close()
	if err != nil && ctx.Err() == nil {
		err = nil // ended by drained: every connection of ours is closed
	}
	return err
}

// connClosed counts a closed connection and wakes Close when it was the last one.
func (s *Server) connClosed() {
	s.mu.Lock()
	s.open--
	if s.open == 0 && s.drained != nil {
		close(s.drained)
		s.drained = nil
	}
	s.mu.Unlock()
}

func (s *Server) onPrepare(nc cwnetpoll.Connection) context.Context {
	conn, ok := nc.(transport.Conn)
	if !ok { // cannot happen: netpoll's connection type has every method of transport.Conn
		_ = nc.Close()
		return context.Background()
	}
	h := s.accept(conn)
	if h == nil {
		_ = nc.Close()
		return context.Background()
	}
	s.mu.Lock()
	s.open++
	s.mu.Unlock()
	_ = nc.AddCloseCallback(func(cwnetpoll.Connection) error {
		s.connClosed()
		h.OnClose(conn)
		return nil
	})
	return context.WithValue(context.Background(), handlerKey{}, h)
}

func (s *Server) onRequest(ctx context.Context, nc cwnetpoll.Connection) error {
	h, ok := ctx.Value(handlerKey{}).(ConnHandler)
	if !ok {
		return nc.Close()
	}
	if err := h.OnRead(nc.(transport.Conn)); err != nil {
		return nc.Close()
	}
	return nil
}

// listener lets netpoll's poller accept on a standard library listener's socket. Unlike netpoll's own
// conversion, which duplicates the descriptor and then closes the duplicate twice (a hazard once the
// number is reused), it uses the listener's descriptor as is and leaves closing it to the listener.
// Once stopped it refuses to accept, so that netpoll detaches it from the poller before it is closed.
type listener struct {
	std       net.Listener
	fd        int
	stopped   atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

func newListener(ln net.Listener) (*listener, error) {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("netpoll: listener %T has no file descriptor", ln)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	l := &listener{std: ln, fd: -1}
	if err := raw.Control(func(fd uintptr) { l.fd = int(fd) }); err != nil {
		return nil, err
	}
	return l, nil
}

var errStopped = errors.New("listener closed") // netpoll detaches and quits on an error saying "closed"

// Accept takes one pending connection; (nil, nil) when there is none.
func (l *listener) Accept() (net.Conn, error) {
	if l.stopped.Load() {
		return nil, errStopped
	}
	fd, sa, err := syscall.Accept4(l.fd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
	switch {
	case err == syscall.EAGAIN:
		return nil, nil
	case err != nil:
		return nil, err
	}
	_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	return &acceptedConn{fd: fd, local: l.std.Addr(), remote: sockaddrAddr(sa)}, nil
}

// Close closes the listener once, whether netpoll or Server.Close gets there first.
func (l *listener) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.std.Close() })
	return l.closeErr
}
func (l *listener) Addr() net.Addr { return l.std.Addr() }
func (l *listener) Fd() int        { return l.fd }

func sockaddrAddr(sa syscall.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: append(net.IP(nil), a.Addr[:]...), Port: a.Port}
	case *syscall.SockaddrInet6:
		return &net.TCPAddr{IP: append(net.IP(nil), a.Addr[:]...), Port: a.Port}
	}
	return &net.TCPAddr{}
}

// acceptedConn hands an accepted socket to netpoll, which takes its descriptor and addresses and
// serves it from then on; its own I/O methods work but netpoll does not use them.
type acceptedConn struct {
	fd            int
	local, remote net.Addr
}

func (c *acceptedConn) Fd() int              { return c.fd }
func (c *acceptedConn) LocalAddr() net.Addr  { return c.local }
func (c *acceptedConn) RemoteAddr() net.Addr { return c.remote }
func (c *acceptedConn) Read(b []byte) (int, error) {
	return syscall.Read(c.fd, b)
}
func (c *acceptedConn) Write(b []byte) (int, error) { return syscall.Write(c.fd, b) }
func (c *acceptedConn) Close() error                { return syscall.Close(c.fd) }
func (c *acceptedConn) SetDeadline(time.Time) error { return errNoDeadline }
func (c *acceptedConn) SetReadDeadline(time.Time) error {
	return errNoDeadline
}
func (c *acceptedConn) SetWriteDeadline(time.Time) error { return errNoDeadline }

var errNoDeadline = errors.New("netpoll: deadlines are set on the netpoll connection")

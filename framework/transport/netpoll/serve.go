package netpoll

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	cwnetpoll "github.com/cloudwego/netpoll"

	"github.com/ternhq/tern/framework/transport"
)

// ConnHandler serves one accepted connection.
type ConnHandler interface {
	// OnRead is called, never concurrently with itself, whenever bytes are readable. It should read whole
	// messages; returning an error closes the connection.
	OnRead(conn transport.Conn) error
	// OnClose is called once when the connection closes, whichever side closed it.
	OnClose(conn transport.Conn)
}

// Serve accepts connections from ln until ln is closed, turning each into a netpoll connection served by
// the handler accept returns (nil refuses the connection: it is closed at once). It returns nil once ln
// is closed.
//
// Accepting runs on an ordinary goroutine through the standard library, so closing ln stops accepting
// at once and cleanly (new connections are refused from then on) while accepted connections keep being
// served; each accepted socket is handed to netpoll's pollers for all its reads and writes.
func Serve(ln net.Listener, accept func(conn transport.Conn) ConnHandler) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() ||
				errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
				errors.Is(err, syscall.ECONNABORTED) {
				continue // transient: the next Accept may succeed
			}
			return fmt.Errorf("accept on %s: %w", ln.Addr(), err)
		}
		nc, conn, err := adopt(c)
		if err != nil {
			continue // the peer went away while being adopted
		}
		h := accept(conn)
		if h == nil {
			_ = conn.Close()
			continue
		}
		_ = nc.AddCloseCallback(func(cwnetpoll.Connection) error {
			h.OnClose(conn)
			return nil
		})
		_ = nc.SetOnRequest(func(context.Context, cwnetpoll.Connection) error {
			if err := h.OnRead(conn); err != nil {
				_ = conn.Close()
			}
			return nil
		})
	}
}

// serverConn is an accepted netpoll connection that knows its addresses (netpoll only knows them for
// connections its own listener accepted).
type serverConn struct {
	transport.Conn
	local, remote net.Addr
}

func (c *serverConn) LocalAddr() net.Addr  { return c.local }
func (c *serverConn) RemoteAddr() net.Addr { return c.remote }

// adopt moves an accepted socket from the Go runtime's poller to netpoll: it duplicates the descriptor,
// closes the original and wraps the duplicate in a netpoll connection.
func adopt(c net.Conn) (cwnetpoll.Connection, transport.Conn, error) {
	defer c.Close()
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil, nil, fmt.Errorf("netpoll: %T has no file descriptor", c)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil, nil, err
	}
	fd, dupErr := -1, error(nil)
	if err := raw.Control(func(s uintptr) { fd, dupErr = syscall.Dup(int(s)) }); err != nil {
		return nil, nil, err
	}
	if dupErr != nil {
		return nil, nil, fmt.Errorf("netpoll: dup accepted socket: %w", dupErr)
	}
	syscall.CloseOnExec(fd)
	nc, err := cwnetpoll.NewFDConnection(fd)
	if err != nil {
		_ = syscall.Close(fd)
		return nil, nil, err
	}
	conn, ok := nc.(transport.Conn)
	if !ok { // cannot happen: netpoll's connection type has every method of transport.Conn
		_ = nc.Close()
		return nil, nil, fmt.Errorf("netpoll: %T is not a transport.Conn", nc)
	}
	return nc, &serverConn{Conn: conn, local: c.LocalAddr(), remote: c.RemoteAddr()}, nil
}

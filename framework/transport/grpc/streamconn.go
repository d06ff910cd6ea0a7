package grpc

import (
	"io"
	"net"

	"github.com/ternhq/tern/framework/transport"
)

// NewStreamConn adapts a transport.Conn (a netpoll connection) to the byte stream ServeConn and
// NewClientConn run on. Reads and writes copy; the transport keeps one reader and one writer goroutine
// per connection.
//
// Its Close interrupts the connection (shuts the socket down, failing reads and writes under way)
// rather than closing it: netpoll frees a connection's buffers in Close, which must therefore not run
// while another goroutine reads them, and the HTTP/2 machinery closes from any goroutine. Whoever owns
// the connection closes it once ServeConn has returned (a server's connection handler) or the
// ClientConn is done.
func NewStreamConn(c transport.Conn) io.ReadWriteCloser { return &streamConn{c: c} }

type streamConn struct{ c transport.Conn }

func (s *streamConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n := s.c.Len()
	if n == 0 {
		if _, err := s.c.Peek(1); err != nil {
			return 0, err
		}
		n = max(s.c.Len(), 1)
	}
	n = min(n, len(p))
	b, err := s.c.Next(n)
	if err != nil {
		return 0, err
	}
	copy(p, b)
	return n, s.c.Release()
}

func (s *streamConn) Write(p []byte) (int, error) {
	buf, err := s.c.Malloc(len(p))
	if err != nil {
		return 0, err
	}
	copy(buf, p)
	if err := s.c.Flush(); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (s *streamConn) Close() error { return transport.Interrupt(s.c) }

// RemoteAddr returns the peer's address.
func (s *streamConn) RemoteAddr() net.Addr { return s.c.RemoteAddr() }

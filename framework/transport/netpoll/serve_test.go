package netpoll_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/transport"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

// echo answers every readable byte with the same bytes, and reports connections it sees close.
type echo struct{ closed chan struct{} }

func (echo) OnRead(c transport.Conn) error {
	p, err := c.Next(c.Len())
	if err != nil {
		return err
	}
	buf, err := c.Malloc(len(p))
	if err != nil {
		return err
	}
	copy(buf, p)
	if err := c.Flush(); err != nil {
		return err
	}
	return c.Release()
}

func (e echo) OnClose(transport.Conn) { e.closed <- struct{}{} }

// Servers started and closed one after another, as tests and in-process restarts do, each serve: a
// closed server's listener is out of the poller before its descriptor (which the next listener
// usually gets again) is closed. When Close let netpoll close the listener before the poller detached
// it, the late detach removed the next listener from epoll now and then, and it accepted nothing.
// (Each connection is closed and gone before its server closes, so that only listeners are at stake.)
func TestServersInTurnEachAccept(t *testing.T) {
	for i := range 200 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		h := echo{closed: make(chan struct{}, 1)}
		s, err := tnetpoll.NewServer(ln, func(transport.Conn) tnetpoll.ConnHandler { return h })
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = s.Serve() }()
		if err := echoOnce(ln.Addr().String()); err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
		select {
		case <-h.closed:
		case <-time.After(2 * time.Second):
			t.Fatalf("server %d: the closed connection was not reported", i)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = s.Close(ctx)
		cancel()
		if err != nil {
			t.Fatalf("server %d: Close: %v", i, err)
		}
	}
}

// echoOnce sends a byte to addr and waits at most a second for it to come back.
func echoOnce(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte{7}); err != nil {
		return err
	}
	_, err = c.Read(make([]byte, 1))
	return err
}

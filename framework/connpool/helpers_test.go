package connpool_test

import (
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/transport"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

// echoServer is a loopback echo server that hands each accepted connection to the test too.
type echoServer struct {
	addr     string
	accepted chan net.Conn
}

func newEchoServer(t testing.TB) *echoServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &echoServer{addr: ln.Addr().String(), accepted: make(chan net.Conn, 1024)}
	done := make(chan struct{})
	t.Cleanup(func() {
		ln.Close()
		<-done
		for {
			select {
			case c := <-s.accepted:
				c.Close()
			default:
				return
			}
		}
	})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case s.accepted <- c:
			default:
			}
			go func() { _, _ = io.Copy(c, c) }()
		}
	}()
	return s
}

// next returns the server side of the next accepted connection.
func (s *echoServer) next(ctx context.Context, t testing.TB) net.Conn {
	t.Helper()
	select {
	case c := <-s.accepted:
		return c
	case <-ctx.Done():
		t.Fatal("no connection accepted")
		return nil
	}
}

// countingDialer dials with transport/netpoll and counts the dials.
type countingDialer struct{ n atomic.Int64 }

func (d *countingDialer) dial(ctx context.Context, network, addr string, timeout time.Duration) (transport.Conn, error) {
	d.n.Add(1)
	return tnetpoll.Dial(ctx, network, addr, timeout)
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newLongPool returns a pool closed when the test ends.
func newLongPool(t testing.TB, d connpool.Dialer, cfg connpool.LongPoolConfig) *connpool.LongPool {
	p := connpool.NewLongPool(d, cfg)
	t.Cleanup(func() { p.Close() })
	return p
}

func mustGet(ctx context.Context, t testing.TB, p connpool.Pool, addr string) transport.Conn {
	t.Helper()
	c, err := p.Get(ctx, "tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustPut(t testing.TB, p connpool.Pool, c transport.Conn) {
	t.Helper()
	if err := p.Put(c); err != nil {
		t.Fatal(err)
	}
}

// roundTrip writes msg on c and reads the echo back.
func roundTrip(t testing.TB, c transport.Conn, msg string) {
	t.Helper()
	if err := echo(c, msg); err != nil {
		t.Fatal(err)
	}
}

func echo(c transport.Conn, msg string) error {
	if err := c.SetReadTimeout(5 * time.Second); err != nil {
		return err
	}
	if _, err := c.WriteBinary([]byte(msg)); err != nil {
		return err
	}
	if err := c.Flush(); err != nil {
		return err
	}
	got, err := c.Next(len(msg))
	if err != nil {
		return err
	}
	if string(got) != msg {
		return io.ErrUnexpectedEOF
	}
	return c.Release()
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, t testing.TB, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// underlying returns the connection a pool wrapped.
func underlying(c transport.Conn) transport.Conn {
	if u, ok := c.(interface{ Unwrap() transport.Conn }); ok {
		return u.Unwrap()
	}
	return c
}

// goroutines counts the goroutines whose stack mentions fn.
func goroutines(fn string) int {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	n := 0
	for _, g := range strings.Split(stacks, "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

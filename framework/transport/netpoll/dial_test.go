package netpoll_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	cwnetpoll "github.com/cloudwego/netpoll"

	"github.com/ternhq/tern/framework/transport"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

// echoServer serves io.Copy echo on a loopback listener until the test ends.
func echoServer(t testing.TB, network, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// roundTrip writes msg to c and reads the echo back.
func roundTrip(t testing.TB, c transport.Conn, msg string) {
	t.Helper()
	if err := c.SetReadTimeout(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	buf, err := c.Malloc(len(msg))
	if err != nil {
		t.Fatal(err)
	}
	copy(buf, msg)
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := c.Next(len(msg))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != msg {
		t.Fatalf("echo = %q, want %q", got, msg)
	}
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestDialTCPEcho(t *testing.T) {
	ctx := testContext(t)
	ln := echoServer(t, "tcp", "127.0.0.1:0")
	for _, network := range []string{"tcp", "tcp4"} {
		t.Run(network, func(t *testing.T) {
			c, err := tnetpoll.Dial(ctx, network, ln.Addr().String(), time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if !c.IsActive() {
				t.Fatal("fresh connection is not active")
			}
			if got := c.RemoteAddr().String(); got != ln.Addr().String() {
				t.Fatalf("RemoteAddr = %s, want %s", got, ln.Addr())
			}
			roundTrip(t, c, "hello tern")
		})
	}
}

func TestDialIPv6(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
	srv := echoServer(t, "tcp6", "[::1]:0")
	c, err := tnetpoll.Dial(testContext(t), "tcp", srv.Addr().String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, "over v6")
}

func TestDialHostname(t *testing.T) {
	ln := echoServer(t, "tcp", "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	c, err := tnetpoll.Dial(testContext(t), "tcp4", net.JoinHostPort("localhost", port), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, "by name")
}

func TestDialUnix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "echo.sock")
	echoServer(t, "unix", path)
	c, err := tnetpoll.Dial(testContext(t), "unix", path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, "over unix")
}

func TestDialErrors(t *testing.T) {
	ctx := testContext(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name, network, addr string
		ctx                 context.Context
		wantMsg             string
		wantIs              error
	}{
		{"refused", "tcp", "127.0.0.1:1", ctx, "dial tcp 127.0.0.1:1: connect: connection refused", syscall.ECONNREFUSED},
		{"refused tcp4", "tcp4", "127.0.0.1:1", ctx, "dial tcp4 127.0.0.1:1: connect: connection refused", syscall.ECONNREFUSED},
		{"cancelled", "tcp", "127.0.0.1:1", cancelled, "dial tcp 127.0.0.1:1: context canceled", context.Canceled},
		{"unknown network", "udp", "127.0.0.1:1", ctx, "dial udp 127.0.0.1:1: unknown network udp", nil},
		{"bad address", "tcp", "127.0.0.1", ctx, "dial tcp 127.0.0.1: address 127.0.0.1: missing port in address", nil},
		{"wrong family", "tcp6", "127.0.0.1:1", ctx, "dial tcp6 127.0.0.1:1: address 127.0.0.1:1: no suitable address found", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tnetpoll.Dial(tt.ctx, tt.network, tt.addr, time.Second)
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded, want error")
			}
			if err.Error() != tt.wantMsg {
				t.Fatalf("error = %q, want %q", err, tt.wantMsg)
			}
			var op *net.OpError
			if !errors.As(err, &op) || op.Op != "dial" {
				t.Fatalf("error %T is not a dial *net.OpError", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Fatalf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
		})
	}
}

// stalledAddr returns a loopback address whose connects hang: a listener with a backlog of zero that
// never accepts, its accept queue filled, so the kernel drops further SYNs.
func stalledAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr // the queue is full: this connect already stalled
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("cannot fill a loopback accept queue here")
	return ""
}

func TestDialTimeout(t *testing.T) {
	addr := stalledAddr(t)
	tests := []struct {
		name     string
		ctxLimit time.Duration // 0: the test context alone
		timeout  time.Duration
	}{
		{"timeout argument", 0, 100 * time.Millisecond},
		{"earlier ctx deadline", 100 * time.Millisecond, time.Minute},
		{"earlier timeout", 5 * time.Second, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			if tt.ctxLimit > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxLimit)
				defer cancel()
			}
			start := time.Now()
			c, err := tnetpoll.Dial(ctx, "tcp", addr, tt.timeout)
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded, want timeout")
			}
			if elapsed := time.Since(start); elapsed < 80*time.Millisecond || elapsed > 3*time.Second {
				t.Fatalf("Dial took %v, want about 100ms", elapsed)
			}
			if want := "dial tcp " + addr + ": i/o timeout"; err.Error() != want {
				t.Fatalf("error = %q, want %q", err, want)
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("error %v is not a timeout net.Error", err)
			}
			if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("error %v does not match the deadline errors", err)
			}
		})
	}
}

// TestServerConnIsTransportConn checks that the connections a netpoll event loop hands out convert to
// transport.Conn, the way the server side will use them.
func TestServerConnIsTransportConn(t *testing.T) {
	ctx := testContext(t)
	got := make(chan bool, 1)
	loop, err := cwnetpoll.NewEventLoop(func(ctx context.Context, c cwnetpoll.Connection) error {
		_, ok := c.(transport.Conn)
		select {
		case got <- ok:
		default:
		}
		return c.Reader().Skip(c.Reader().Len())
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := cwnetpoll.CreateListener("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = loop.Serve(ln) }()
	defer func() { _ = loop.Shutdown(ctx) }()

	c, err := tnetpoll.Dial(ctx, "tcp", ln.Addr().String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.WriteBinary([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	select {
	case ok := <-got:
		if !ok {
			t.Fatal("server-side netpoll.Connection is not a transport.Conn")
		}
	case <-ctx.Done():
		t.Fatal("server never saw the request")
	}
}

package netpoll_test

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	cwnetpoll "github.com/cloudwego/netpoll"

	"github.com/ternhq/tern/framework/transport"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

// netpollEchoServer runs a netpoll event loop that echoes every readable byte back.
func netpollEchoServer(b *testing.B) string {
	b.Helper()
	loop, err := cwnetpoll.NewEventLoop(func(_ context.Context, c cwnetpoll.Connection) error {
		r, w := c.Reader(), c.Writer()
		p, err := r.Next(r.Len())
		if err != nil {
			return err
		}
		if _, err := w.WriteBinary(p); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		return r.Release()
	})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := cwnetpoll.CreateListener("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = loop.Serve(ln) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = loop.Shutdown(ctx)
	})
	return ln.Addr().String()
}

// BenchmarkEchoPingPong measures loopback request/response throughput over netpoll on both ends, with
// 32 connections per P each doing 64-byte ping-pongs. Run it with different TERN_NETPOLL_POLLERS values
// to compare poller counts; ns/op is the inverse of the aggregate throughput.
func BenchmarkEchoPingPong(b *testing.B) {
	addr := netpollEchoServer(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var failed atomic.Value
	b.SetParallelism(32)
	b.ReportAllocs()
	cpuStart := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := tnetpoll.Dial(ctx, "tcp", addr, time.Second)
		if err != nil {
			failed.Store(err)
			return
		}
		defer c.Close()
		_ = c.SetReadTimeout(5 * time.Second)
		msg := make([]byte, 64)
		for pb.Next() {
			if err := pingPong(c, msg); err != nil {
				failed.Store(err)
				return
			}
		}
	})
	b.StopTimer()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	b.ReportMetric(float64(tnetpoll.PollerNum()), "pollers")
	// CPU time per round trip (client and server together) is steadier than wall time on a shared
	// machine, and is what extra pollers cost or save on a small one.
	b.ReportMetric(float64(cpuTime()-cpuStart)/float64(b.N), "cpu-ns/op")
}

// cpuTime returns the process's user plus system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func pingPong(c transport.Conn, msg []byte) error {
	if _, err := c.WriteBinary(msg); err != nil {
		return err
	}
	if err := c.Flush(); err != nil {
		return err
	}
	if _, err := c.Next(len(msg)); err != nil {
		return err
	}
	return c.Release()
}

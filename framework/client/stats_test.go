package client_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/stats"
)

// finished is what a tracer saw of one call when it finished.
type finished struct {
	side   stats.Side
	method string
	events []stats.Event
	remote string
	code   rpcerr.Code
	took   time.Duration
}

// statsRecorder is a Tracer that keeps what it sees.
type statsRecorder struct {
	mu      sync.Mutex
	started int
	calls   []finished
}

func (r *statsRecorder) Start(ctx context.Context, c *stats.Call) context.Context {
	r.mu.Lock()
	r.started++
	r.mu.Unlock()
	return ctx
}

func (r *statsRecorder) Finish(ctx context.Context, c *stats.Call) {
	f := finished{side: c.Side(), method: c.Info().Method(), remote: c.RemoteAddr(),
		code: rpcerr.CodeOf(c.Err()), took: c.Duration()}
	for _, e := range stats.Events(c.Side()) {
		if _, ok := c.Time(e); ok {
			f.events = append(f.events, e)
		}
	}
	r.mu.Lock()
	r.calls = append(r.calls, f)
	r.mu.Unlock()
}

// wait returns the first n calls finished, waiting for a server that finishes after replying.
func (r *statsRecorder) wait(t *testing.T, n int) []finished {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		r.mu.Lock()
		got := append([]finished(nil), r.calls...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
	}
	t.Fatalf("%d calls finished, want %d", len(r.calls), n)
	return nil
}

func sameEvents(a, b []stats.Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestTracerEvents: a call records the events of its level on both sides, in order, with the
// address it went to and its outcome.
func TestTracerEvents(t *testing.T) {
	detailedClient := stats.Events(stats.Client)
	baseClient := []stats.Event{stats.ClientStart, stats.ClientFinish}
	detailedServer := stats.Events(stats.Server)
	baseServer := []stats.Event{stats.ServerRequestRead, stats.ServerHandlerStart, stats.ServerHandlerEnd, stats.ServerFinish}
	cases := []struct {
		name       string
		level      stats.Level
		opts       []client.Option
		req        *echo.Request
		wantCode   rpcerr.Code
		wantClient []stats.Event
		wantServer []stats.Event
	}{
		{"pooled", stats.LevelDetailed, nil, &echo.Request{Message: "hi"}, rpcerr.CodeOK, detailedClient, detailedServer},
		{"mux", stats.LevelDetailed, []client.Option{client.WithMuxConnection(1)}, &echo.Request{Message: "hi"}, rpcerr.CodeOK, detailedClient, detailedServer},
		{"base level", stats.LevelBase, nil, &echo.Request{Message: "hi"}, rpcerr.CodeOK, baseClient, baseServer},
		{"handler panics", stats.LevelDetailed, nil, &echo.Request{Panic: true}, rpcerr.CodeInternal, detailedClient, detailedServer},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srec, crec := new(statsRecorder), new(statsRecorder)
			_, addr, _ := echotest.StartServer(t, server.WithTracer(srec), server.WithStatsLevel(c.level))
			opts := append([]client.Option{client.WithHostPorts(addr), client.WithTracer(crec), client.WithStatsLevel(c.level)}, c.opts...)
			cli := echoservice.MustNewClient("echo", opts...)
			defer cli.Close()
			_, err := cli.Echo(testContext(t), c.req)
			if rpcerr.CodeOf(err) != c.wantCode {
				t.Fatalf("call error %v, want code %v", err, c.wantCode)
			}
			cc, sc := crec.wait(t, 1)[0], srec.wait(t, 1)[0]
			if cc.side != stats.Client || !sameEvents(cc.events, c.wantClient) || cc.remote != addr || cc.code != c.wantCode || cc.method != "Echo" {
				t.Errorf("client saw %+v; want events %v, remote %s, code %v", cc, c.wantClient, addr, c.wantCode)
			}
			if sc.side != stats.Server || !sameEvents(sc.events, c.wantServer) || sc.code != c.wantCode || sc.method != "Echo" {
				t.Errorf("server saw %+v; want events %v, code %v", sc, c.wantServer, c.wantCode)
			}
			if _, _, err := net.SplitHostPort(sc.remote); err != nil || cc.took < sc.took {
				t.Errorf("server remote %q; client took %v, server %v", sc.remote, cc.took, sc.took)
			}
		})
	}
}

// TestTracerOnewayAndRetries: a oneway call has no reply to read or write; a call retried is one call
// to the tracer.
func TestTracerOnewayAndRetries(t *testing.T) {
	srec, crec := new(statsRecorder), new(statsRecorder)
	_, addr, h := echotest.StartServer(t, server.WithTracer(srec))
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTracer(crec))
	defer cli.Close()
	if err := cli.Notify(testContext(t), &echo.Request{Message: "n"}); err != nil {
		t.Fatal(err)
	}
	if h.WaitNotify(5*time.Second) == nil {
		t.Fatal("Notify never arrived")
	}
	cc, sc := crec.wait(t, 1)[0], srec.wait(t, 1)[0]
	wantClient := []stats.Event{stats.ClientStart, stats.ClientConnected, stats.ClientRequestWritten, stats.ClientFinish}
	wantServer := []stats.Event{stats.ServerRequestRead, stats.ServerHandlerStart, stats.ServerHandlerEnd, stats.ServerFinish}
	if !sameEvents(cc.events, wantClient) || !sameEvents(sc.events, wantServer) {
		t.Fatalf("oneway events: client %v, server %v", cc.events, sc.events)
	}
}

// TestTracerDisabled: at LevelDisabled a tracer is never called, and the client runs without any stats
// code (the controller is nil, which package stats tests; an allocation comparison through a loopback
// server sharing the process is too noisy to decide on one allocation).
func TestTracerDisabled(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	rec := new(statsRecorder)
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTracer(rec),
		client.WithStatsLevel(stats.LevelDisabled))
	defer cli.Close()
	ctx, req := testContext(t), &echo.Request{Message: "hi"}
	for range 10 {
		if _, err := cli.Echo(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	if rec.started != 0 {
		t.Fatalf("a disabled tracer was started %d times", rec.started)
	}
}

type noopTracer struct{}

func (noopTracer) Start(ctx context.Context, _ *stats.Call) context.Context { return ctx }
func (noopTracer) Finish(context.Context, *stats.Call)                      {}

// BenchmarkEchoStats measures what recording costs per call, with a tracer that does nothing with the
// record: none, base level, detailed level.
func BenchmarkEchoStats(b *testing.B) {
	cases := []struct {
		name string
		opts []server.Option
		copt []client.Option
	}{
		{"off", nil, nil},
		{"base", []server.Option{server.WithTracer(noopTracer{}), server.WithStatsLevel(stats.LevelBase)},
			[]client.Option{client.WithTracer(noopTracer{}), client.WithStatsLevel(stats.LevelBase)}},
		{"detailed", []server.Option{server.WithTracer(noopTracer{})}, []client.Option{client.WithTracer(noopTracer{})}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			_, addr, _ := echotest.StartServer(b, c.opts...)
			cli := echoservice.MustNewClient("echo", append([]client.Option{client.WithHostPorts(addr)}, c.copt...)...)
			defer cli.Close()
			req, ctx := &echo.Request{Message: "hello"}, context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cli.Echo(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package stats_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/stats"
)

// recorder is a Tracer that notes what it is told.
type recorder struct {
	name string
	mu   *sync.Mutex
	log  *[]string
	seen []*stats.Call
}

type tagKey struct{}

func (r *recorder) Start(ctx context.Context, c *stats.Call) context.Context {
	r.mu.Lock()
	*r.log = append(*r.log, "start "+r.name)
	r.mu.Unlock()
	return context.WithValue(ctx, tagKey{}, r.name)
}

func (r *recorder) Finish(ctx context.Context, c *stats.Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*r.log = append(*r.log, "finish "+r.name+" tag="+ctx.Value(tagKey{}).(string))
	r.seen = append(r.seen, c)
}

func newRecorders(names ...string) ([]stats.Tracer, *[]string) {
	var mu sync.Mutex
	log := new([]string)
	var ts []stats.Tracer
	for _, n := range names {
		ts = append(ts, &recorder{name: n, mu: &mu, log: log})
	}
	return ts, log
}

var svc = &serviceinfo.ServiceInfo{ServiceName: "Echo", PackageName: "echo"}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNewController(t *testing.T) {
	ts, _ := newRecorders("a")
	cases := []struct {
		name    string
		level   stats.Level
		tracers []stats.Tracer
		wantNil bool
	}{
		{"no tracer", stats.LevelDetailed, nil, true},
		{"only nil tracers", stats.LevelDetailed, []stats.Tracer{nil}, true},
		{"disabled", stats.LevelDisabled, ts, true},
		{"base", stats.LevelBase, ts, false},
		{"detailed", stats.LevelDetailed, ts, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctl := stats.NewController(c.level, c.tracers...)
			if (ctl == nil) != c.wantNil {
				t.Fatalf("NewController = %v, want nil: %v", ctl, c.wantNil)
			}
			if ctl != nil && (ctl.Level() != c.level || ctl.Tracers() != 1) {
				t.Fatalf("level %v tracers %d", ctl.Level(), ctl.Tracers())
			}
		})
	}
}

func TestControllerOrder(t *testing.T) {
	ts, log := newRecorders("a", "b")
	ctl := stats.NewController(stats.LevelDetailed, ts...)
	ctx, call := ctl.Start(testContext(t), stats.Client, svc)
	if stats.FromContext(ctx) != call {
		t.Fatal("the context does not carry the call")
	}
	boom := errors.New("boom")
	ctl.Finish(ctx, call, boom)
	want := []string{"start a", "start b", "finish b tag=b", "finish a tag=b"}
	if !slices.Equal(*log, want) {
		t.Fatalf("tracer calls = %q, want %q", *log, want)
	}
	if call.Err() != boom || call.Side() != stats.Client || call.Service() != svc {
		t.Fatalf("call: err %v side %v svc %v", call.Err(), call.Side(), call.Service())
	}
}

func TestLevels(t *testing.T) {
	cases := []struct {
		level stats.Level
		want  []stats.Event // recorded besides start and finish
	}{
		{stats.LevelBase, []stats.Event{stats.ServerHandlerStart, stats.ServerHandlerEnd}},
		{stats.LevelDetailed, []stats.Event{stats.ServerHandlerStart, stats.ServerHandlerEnd, stats.ServerResponseWritten}},
	}
	for _, c := range cases {
		t.Run(c.level.String(), func(t *testing.T) {
			ts, _ := newRecorders("a")
			ctl := stats.NewController(c.level, ts...)
			ctx, call := ctl.Start(testContext(t), stats.Server, svc)
			for _, e := range []stats.Event{stats.ServerHandlerStart, stats.ServerHandlerEnd, stats.ServerResponseWritten} {
				stats.Record(ctx, e)
			}
			ctl.Finish(ctx, call, nil)
			var got []stats.Event
			for _, e := range stats.Events(stats.Server) {
				if _, ok := call.Time(e); ok && e != stats.ServerRequestRead && e != stats.ServerFinish {
					got = append(got, e)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("recorded %v, want %v", got, c.want)
			}
			if call.Duration() <= 0 {
				t.Fatalf("duration %v", call.Duration())
			}
		})
	}
}

func TestEventTimesInOrder(t *testing.T) {
	ts, _ := newRecorders("a")
	ctl := stats.NewController(stats.LevelDetailed, ts...)
	ctx, call := ctl.Start(testContext(t), stats.Client, svc)
	for _, e := range stats.Events(stats.Client)[1:4] {
		time.Sleep(time.Millisecond)
		stats.Record(ctx, e)
	}
	ctl.Finish(ctx, call, nil)
	prev := call.StartTime()
	for _, e := range stats.Events(stats.Client) {
		at, ok := call.Time(e)
		if !ok || at.Before(prev) {
			t.Fatalf("%v at %v (recorded %v), previous event at %v", e, at, ok, prev)
		}
		prev = at
	}
	if end, _ := call.Time(stats.ClientFinish); end.Sub(call.StartTime()) != call.Duration() {
		t.Fatalf("duration %v, finish at %v", call.Duration(), end.Sub(call.StartTime()))
	}
}

func TestRemoteAddr(t *testing.T) {
	caller := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	callee := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}
	ri := rpcinfo.New(rpcinfo.Data{Caller: rpcinfo.Peer{Addr: caller}, Callee: rpcinfo.Peer{Addr: callee}})
	cases := []struct {
		name string
		side stats.Side
		set  string
		want string
	}{
		{"server: the caller", stats.Server, "", caller.String()},
		{"client: the per-call address", stats.Client, "", callee.String()},
		{"client: the instance picked", stats.Client, "10.0.0.1:8888", "10.0.0.1:8888"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts, _ := newRecorders("a")
			ctl := stats.NewController(stats.LevelBase, ts...)
			_, call := ctl.Start(rpcinfo.NewContext(testContext(t), ri), c.side, svc)
			if c.set != "" {
				call.SetRemoteAddr(c.set)
			}
			if got := call.RemoteAddr(); got != c.want {
				t.Fatalf("RemoteAddr = %q, want %q", got, c.want)
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	ts, _ := newRecorders("a")
	rec := ts[0].(*recorder)
	ctl := stats.NewController(stats.LevelDetailed, ts...)
	handler := func(ctx context.Context, req, resp any) error { return errors.New("handler failed") }
	cases := []struct {
		name      string
		ep        endpoint.Endpoint
		preStart  bool // the transport started the call
		wantCalls int  // Finish calls made by the middleware
	}{
		{"client", endpoint.Chain(ctl.ClientMiddleware(svc))(handler), false, 1},
		{"server without transport record", endpoint.Chain(ctl.ServerMiddleware(svc), ctl.HandlerMiddleware())(handler), false, 1},
		{"server with transport record", endpoint.Chain(ctl.ServerMiddleware(svc), ctl.HandlerMiddleware())(handler), true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec.seen = nil
			ctx := testContext(t)
			var outer *stats.Call
			if c.preStart {
				ctx, outer = ctl.Start(ctx, stats.Server, svc)
			}
			if err := c.ep(ctx, nil, nil); err == nil {
				t.Fatal("the middleware lost the handler's error")
			}
			if len(rec.seen) != c.wantCalls {
				t.Fatalf("Finish called %d times, want %d", len(rec.seen), c.wantCalls)
			}
			call := outer
			if call == nil {
				call = rec.seen[0]
			}
			if c.name != "client" {
				if _, ok := call.Time(stats.ServerHandlerEnd); !ok {
					t.Fatal("handler end not recorded")
				}
			}
		})
	}
}

func TestNilController(t *testing.T) {
	var ctl *stats.Controller
	ctx := testContext(t)
	got, call := ctl.Start(ctx, stats.Client, svc)
	if got != ctx || call != nil {
		t.Fatal("a nil controller started a call")
	}
	ctl.Finish(ctx, nil, nil)
	if ctl.ClientMiddleware(svc) != nil || ctl.ServerMiddleware(svc) != nil || ctl.HandlerMiddleware() != nil {
		t.Fatal("a nil controller returned middleware")
	}
}

// TestZeroCostWithoutTracer: with nothing listening, the calls transports make on every event allocate
// nothing.
func TestZeroCostWithoutTracer(t *testing.T) {
	var ctl *stats.Controller
	ctx := rpcinfo.NewContext(testContext(t), rpcinfo.New(rpcinfo.Data{}))
	allocs := testing.AllocsPerRun(1000, func() {
		c2, call := ctl.Start(ctx, stats.Client, svc)
		stats.Record(c2, stats.ClientConnected)
		call.SetRemoteAddr("127.0.0.1:1")
		call.Record(stats.ClientResponseRead)
		ctl.Finish(c2, call, nil)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per call without a tracer, want 0", allocs)
	}
}

// TestRecordAllocs: recording an event on a live call allocates nothing either.
func TestRecordAllocs(t *testing.T) {
	ts, _ := newRecorders("a")
	ctl := stats.NewController(stats.LevelDetailed, ts...)
	ctx, call := ctl.Start(testContext(t), stats.Client, svc)
	allocs := testing.AllocsPerRun(1000, func() {
		stats.Record(ctx, stats.ClientRequestWritten)
		call.SetRemoteAddr("127.0.0.1:1")
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per event, want 0", allocs)
	}
}

func TestNames(t *testing.T) {
	cases := []struct{ got, want string }{
		{stats.ClientRequestWritten.String(), "client_request_written"},
		{stats.ServerFinish.String(), "server_finish"},
		{stats.Event(200).String(), "Event(200)"},
		{stats.LevelBase.String(), "base"},
		{stats.Level(9).String(), "Level(9)"},
		{stats.Server.String(), "server"},
		{stats.Side(0).String(), "Side(0)"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if c.got != c.want {
				t.Fatalf("got %q, want %q", c.got, c.want)
			}
		})
	}
}

func BenchmarkRecord(b *testing.B) {
	ts, _ := newRecorders("a")
	cases := []struct {
		name string
		ctl  *stats.Controller
	}{{"off", nil}, {"on", stats.NewController(stats.LevelDetailed, ts...)}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx, _ := c.ctl.Start(context.Background(), stats.Client, svc)
			b.ReportAllocs()
			for b.Loop() {
				stats.Record(ctx, stats.ClientRequestWritten)
			}
		})
	}
}

// TestMiddlewarePanic: a panic unwinding through the stats middleware still finishes the call (with an
// internal error) and the handler's end, then goes on.
func TestMiddlewarePanic(t *testing.T) {
	ts, _ := newRecorders("a")
	rec := ts[0].(*recorder)
	ctl := stats.NewController(stats.LevelDetailed, ts...)
	ep := endpoint.Chain(ctl.ServerMiddleware(svc), ctl.HandlerMiddleware())(func(context.Context, any, any) error {
		panic("handler bug")
	})
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic was swallowed")
			}
		}()
		_ = ep(testContext(t), nil, nil)
	}()
	if len(rec.seen) != 1 {
		t.Fatalf("Finish called %d times, want 1", len(rec.seen))
	}
	call := rec.seen[0]
	if _, ok := call.Time(stats.ServerHandlerEnd); !ok || rpcerr.CodeOf(call.Err()) != rpcerr.CodeInternal {
		t.Fatalf("handler end recorded %v, error %v", ok, call.Err())
	}
}

package otel

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/stats"
	"github.com/ternhq/tern/framework/transport"
)

func TestIsError(t *testing.T) {
	cases := []struct {
		side stats.Side
		code rpcerr.Code
		want bool
	}{
		{stats.Client, rpcerr.CodeOK, false},
		{stats.Client, rpcerr.CodeInvalidArgument, true},
		{stats.Client, rpcerr.CodeCircuitOpen, true},
		{stats.Server, rpcerr.CodeInvalidArgument, false},
		{stats.Server, rpcerr.CodeNotFound, false},
		{stats.Server, rpcerr.CodeInternal, true},
		{stats.Server, rpcerr.CodeDeadlineExceeded, true},
	}
	for _, c := range cases {
		t.Run(c.side.String()+"/"+c.code.String(), func(t *testing.T) {
			if got := isError(c.side, c.code); got != c.want {
				t.Fatalf("isError = %v, want %v", got, c.want)
			}
		})
	}
}

func TestAddressAttrs(t *testing.T) {
	cases := []struct {
		name string
		side stats.Side
		addr string
		want []attribute.KeyValue
	}{
		{"none", stats.Client, "", nil},
		{"client", stats.Client, "10.0.0.1:8888", []attribute.KeyValue{keyPeerAddress.String("10.0.0.1"),
			keyPeerPort.Int(8888), keyServerAddress.String("10.0.0.1"), keyServerPort.Int(8888)}},
		{"server", stats.Server, "[::1]:4000", []attribute.KeyValue{keyPeerAddress.String("::1"), keyPeerPort.Int(4000)}},
		{"unix socket", stats.Server, "/tmp/sock", []attribute.KeyValue{keyPeerAddress.String("/tmp/sock")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := addressAttrs(c.side, c.addr)
			gotSet, wantSet := attribute.NewSet(got...), attribute.NewSet(c.want...)
			if !gotSet.Equals(&wantSet) || len(got) != len(c.want) {
				t.Fatalf("addressAttrs = %v, want %v", got, c.want)
			}
		})
	}
}

type nopTracer struct{}

func (nopTracer) Start(ctx context.Context, _ *stats.Call) context.Context { return ctx }
func (nopTracer) Finish(context.Context, *stats.Call)                      {}

var echoInfo = &serviceinfo.ServiceInfo{ServiceName: "Echo", PackageName: "echo",
	Methods: map[string]*serviceinfo.MethodInfo{"Echo": {Name: "Echo"}}}

func startCall(t *testing.T, ctl *stats.Controller, proto transport.Protocol, method string) (context.Context, *stats.Call) {
	ctx := rpcinfo.NewContext(context.Background(), rpcinfo.New(rpcinfo.Data{
		Callee: rpcinfo.Peer{Service: "echo", Method: method}, Protocol: proto}))
	return ctl.Start(ctx, stats.Server, echoInfo)
}

// TestAttrCache: a method the service describes gets its attributes from the cache, per RPC system;
// others are built each time.
func TestAttrCache(t *testing.T) {
	var a attrCache
	ctl := stats.NewController(stats.LevelBase, nopTracer{})
	cases := []struct {
		name       string
		proto      transport.Protocol
		method     string
		wantSystem string
		wantMiss   bool
	}{
		{"kitex", transport.TTHeader, "Echo", "kitex", false},
		{"grpc", transport.GRPC, "Echo", "grpc", false},
		{"unknown method", transport.TTHeader, "Other", "kitex", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := a.misses.Load()
			_, call := startCall(t, ctl, c.proto, c.method)
			m := a.get(call)
			if m != a.get(call) && !c.wantMiss {
				t.Fatal("the attributes were not cached")
			}
			set := attribute.NewSet(m.base...)
			if sys, _ := set.Value(keyRPCSystem); sys.AsString() != c.wantSystem || m.spanName != "echo.Echo/"+c.method {
				t.Fatalf("system %v span %q", sys, m.spanName)
			}
			if (a.misses.Load() > before) != c.wantMiss {
				t.Fatalf("misses %d -> %d", before, a.misses.Load())
			}
			if got := m.code(rpcerr.CodeCircuitOpen).status.Value.AsString(); got != "CIRCUIT_OPEN" {
				t.Fatalf("status %q", got)
			}
		})
	}
}

// TestMetricsAllocs: recording a call's metrics allocates nothing once its method has been seen.
func TestMetricsAllocs(t *testing.T) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	m, err := NewMetrics(WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	ctl := stats.NewController(stats.LevelBase, m)
	ctx, call := startCall(t, ctl, transport.TTHeader, "Echo")
	ctl.Finish(ctx, call, nil)
	allocs := testing.AllocsPerRun(1000, func() {
		ctx := m.Start(ctx, call)
		m.Finish(ctx, call)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per call, want 0", allocs)
	}
}

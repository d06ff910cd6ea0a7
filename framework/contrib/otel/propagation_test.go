package otel_test

import (
	"context"
	"iter"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/stats"
)

var echoInfo = &serviceinfo.ServiceInfo{ServiceName: "Echo", PackageName: "echo",
	Methods: map[string]*serviceinfo.MethodInfo{"Echo": {Name: "Echo"}}}

func callContext(ctx context.Context) context.Context {
	return rpcinfo.NewContext(ctx, rpcinfo.New(rpcinfo.Data{Callee: rpcinfo.Peer{Service: "echo", Method: "Echo"}}))
}

// TestInjectMetainfo: a client span's context leaves as the transient metainfo value "traceparent",
// which TTHeader carries as RPC_TRANSIT_traceparent, as Kitex's OpenTelemetry suite sends it.
func TestInjectMetainfo(t *testing.T) {
	r := newRecording(t)
	ctl := stats.NewController(stats.LevelBase, r.tracer)
	ctx, _ := ctl.Start(callContext(testContext(t)), stats.Client, echoInfo)
	sc := trace.SpanContextFromContext(ctx)
	want := "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"
	got := map[string]string{}
	metainfo.RangeOutgoing(ctx, func(k, v string) bool {
		got[k] = v
		return true
	})
	if got["RPC_TRANSIT_traceparent"] != want {
		t.Fatalf("outgoing metainfo %v, want RPC_TRANSIT_traceparent=%s", got, want)
	}
}

// TestExtractMetainfo: a server continues the trace whichever way the caller's key arrived: as sent
// over TTHeader, or upper-cased as gRPC metadata is turned into metainfo.
func TestExtractMetainfo(t *testing.T) {
	const traceID, spanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	parent := "00-" + traceID + "-" + spanID + "-01"
	cases := []struct{ name, key string }{
		{"ttheader", "RPC_TRANSIT_traceparent"},
		{"grpc", "RPC_TRANSIT_TRACEPARENT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRecording(t)
			ctl := stats.NewController(stats.LevelBase, r.tracer)
			ctx := metainfo.WithIncoming(callContext(testContext(t)), pairs(c.key, parent))
			ctx, call := ctl.Start(ctx, stats.Server, echoInfo)
			ctl.Finish(ctx, call, nil)
			s := r.ended(t, 1)[0]
			if s.Parent().TraceID().String() != traceID || s.Parent().SpanID().String() != spanID || !s.Parent().IsRemote() {
				t.Fatalf("server span parent %v, want remote %s/%s", s.Parent(), traceID, spanID)
			}
		})
	}
}

func pairs(kv ...string) iter.Seq2[[]byte, []byte] {
	return func(yield func(k, v []byte) bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if !yield([]byte(kv[i]), []byte(kv[i+1])) {
				return
			}
		}
	}
}

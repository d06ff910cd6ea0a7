package otel_test

import (
	"net"
	"strconv"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
)

// TestTraceAcrossChain: one call through client → A → B makes one trace: the test's root span, then
// client and server spans alternating, each the parent of the next, with the RPC attributes.
func TestTraceAcrossChain(t *testing.T) {
	r := newRecording(t)
	call := startChain(t, chainHops, []client.Option{client.WithTracer(r.tracer)}, []server.Option{server.WithTracer(r.tracer)})
	ctx, root := r.tp.Tracer("test").Start(testContext(t), "root")
	if err := call(ctx); err != nil {
		t.Fatal(err)
	}
	root.End()
	spans := r.ended(t, 1+2*len(chainHops))
	byParent := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		if s.SpanContext().TraceID() != root.SpanContext().TraceID() {
			t.Fatalf("span %s is in trace %s, want %s", s.Name(), s.SpanContext().TraceID(), root.SpanContext().TraceID())
		}
		byParent[s.Parent().SpanID()] = s
	}
	parent := root.SpanContext()
	for i, h := range chainHops {
		for _, kind := range []trace.SpanKind{trace.SpanKindClient, trace.SpanKindServer} {
			s, ok := byParent[parent.SpanID()]
			if !ok {
				t.Fatalf("hop %d (%s): no %v span is a child of %s", i, h.name, kind, parent.SpanID())
			}
			checkSpan(t, h, s, kind, rpcerr.CodeOK)
			parent = s.SpanContext()
		}
	}
}

// checkSpan checks a span's name, kind and RPC attributes.
func checkSpan(t *testing.T, h hop, s sdktrace.ReadOnlySpan, kind trace.SpanKind, code rpcerr.Code) {
	t.Helper()
	hop := h.name
	want := map[string]string{
		"rpc.system": h.system, "rpc.service": h.service(), "rpc.method": h.method(),
		"rpc.response.status_code": map[rpcerr.Code]string{rpcerr.CodeOK: "OK", rpcerr.CodeInternal: "INTERNAL"}[code],
	}
	if name := h.service() + "/" + h.method(); s.Name() != name || s.SpanKind() != kind {
		t.Errorf("%s: span %q kind %v, want %s kind %v", hop, s.Name(), s.SpanKind(), name, kind)
	}
	for k, v := range want {
		if got := attrString(s, k); got != v {
			t.Errorf("%s %v span: %s = %q, want %q", hop, kind, k, got, v)
		}
	}
	peer, port := attrString(s, "network.peer.address"), attrString(s, "network.peer.port")
	if h.system == "grpc" && kind == trace.SpanKindServer {
		return // the gRPC server does not record the caller's address yet
	}
	if net.ParseIP(peer) == nil || port == "" {
		t.Errorf("%s %v span: peer %q port %q", hop, kind, peer, port)
	}
	if kind == trace.SpanKindClient {
		if attrString(s, "server.address") != peer || attrString(s, "server.port") != port {
			t.Errorf("%s client span: server.address/port %q %q, want the peer's", hop, attrString(s, "server.address"), attrString(s, "server.port"))
		}
		if n, want := len(s.Events()), map[bool]int{true: 2, false: 3}[h.system == "grpc"]; n != want {
			t.Errorf("%s client span has %d events, want %d (connected, request written, response read)", hop, n, want)
		}
	}
	if _, err := strconv.Atoi(port); err != nil {
		t.Errorf("%s: port %q", hop, port)
	}
}

// TestErrorStatus: a failing call marks both spans as errors with the code; a declared IDL exception
// is a result, not an error.
func TestErrorStatus(t *testing.T) {
	cases := []struct {
		name       string
		req        *echo.Request
		wantCode   rpcerr.Code
		wantStatus codes.Code
	}{
		{"handler panics", &echo.Request{Panic: true}, rpcerr.CodeInternal, codes.Error},
		{"declared exception", &echo.Request{Fail: true}, rpcerr.CodeOK, codes.Unset},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRecording(t)
			cli := startEcho(t, []client.Option{client.WithTracer(r.tracer)}, []server.Option{server.WithTracer(r.tracer)})
			_, _ = cli.Echo(testContext(t), c.req)
			for _, s := range r.ended(t, 2) {
				checkSpan(t, chainHops[0], s, s.SpanKind(), c.wantCode)
				if s.Status().Code != c.wantStatus {
					t.Errorf("%v span status %v, want %v", s.SpanKind(), s.Status(), c.wantStatus)
				}
				if got := attrString(s, "error.type"); (c.wantCode != rpcerr.CodeOK) != (got != "") {
					t.Errorf("%v span error.type %q", s.SpanKind(), got)
				}
			}
		})
	}
}

// TestUntracedCaller: a server whose caller sends no trace context starts a trace of its own.
func TestUntracedCaller(t *testing.T) {
	r := newRecording(t)
	cli := startEcho(t, nil, []server.Option{server.WithTracer(r.tracer)})
	if _, err := cli.Echo(testContext(t), &echo.Request{Message: "x"}); err != nil {
		t.Fatal(err)
	}
	s := r.ended(t, 1)[0]
	if s.SpanKind() != trace.SpanKindServer || s.Parent().IsValid() || !s.SpanContext().IsValid() {
		t.Fatalf("span %v kind %v parent %v", s.Name(), s.SpanKind(), s.Parent())
	}
}

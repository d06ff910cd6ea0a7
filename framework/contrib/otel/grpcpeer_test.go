package otel_test

import (
	"context"
	"net"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	ggrpc "google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"
)

// A trace stays whole across a gRPC hop to or from a grpc-go peer instrumented with otelgrpc, which
// sends and reads the plain "traceparent" header rather than Tern's and Kitex's metainfo.

// spanOf returns the ended span of kind named name.
func spanOf(t *testing.T, spans []sdktrace.ReadOnlySpan, kind trace.SpanKind, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range spans {
		if s.SpanKind() == kind && s.Name() == name {
			return s
		}
	}
	t.Fatalf("no %v span %q among %d", kind, name, len(spans))
	return nil
}

func assertChild(t *testing.T, child, parent sdktrace.ReadOnlySpan) {
	t.Helper()
	if child.SpanContext().TraceID() != parent.SpanContext().TraceID() || child.Parent().SpanID() != parent.SpanContext().SpanID() ||
		!child.Parent().IsRemote() {
		t.Errorf("%s (trace %s, parent %s) is not a remote child of %s (trace %s, span %s)",
			child.Name(), child.SpanContext().TraceID(), child.Parent().SpanID(),
			parent.Name(), parent.SpanContext().TraceID(), parent.SpanContext().SpanID())
	}
}

func TestGrpcGoOtelClientToTernServer(t *testing.T) {
	r := newRecording(t)
	_, addr := echotest.StartPbServer(t, server.WithTracer(r.tracer))
	cc, err := ggrpc.NewClient(addr, ggrpc.WithTransportCredentials(insecure.NewCredentials()),
		ggrpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(r.tp),
			otelgrpc.WithPropagators(propagation.TraceContext{}))))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cc.Invoke(ctx, "/pbecho.PbEcho/Say", &pbecho.Msg{Value: "hi"}, new(pbecho.Msg)); err != nil {
		t.Fatal(err)
	}
	spans := r.ended(t, 2)
	assertChild(t, spanOf(t, spans, trace.SpanKindServer, "pbecho.PbEcho/Say"), spanOf(t, spans, trace.SpanKindClient, "pbecho.PbEcho/Say"))
}

func TestTernClientToGrpcGoOtelServer(t *testing.T) {
	r := newRecording(t)
	srv := ggrpc.NewServer(ggrpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(r.tp),
		otelgrpc.WithPropagators(propagation.TraceContext{}))))
	srv.RegisterService(&ggrpc.ServiceDesc{
		ServiceName: "pbecho.PbEcho",
		HandlerType: (*any)(nil),
		Methods: []ggrpc.MethodDesc{{MethodName: "Say", Handler: func(_ any, ctx context.Context, dec func(any) error, _ ggrpc.UnaryServerInterceptor) (any, error) {
			in := new(pbecho.Msg)
			return in, dec(in)
		}}},
	}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Stop()

	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(ln.Addr().String()),
		client.WithTransportProtocol(transport.GRPC), client.WithTracer(r.tracer))
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Say(ctx, &pbecho.Msg{Value: "hi"}); err != nil {
		t.Fatal(err)
	}
	spans := r.ended(t, 2)
	assertChild(t, spanOf(t, spans, trace.SpanKindServer, "pbecho.PbEcho/Say"), spanOf(t, spans, trace.SpanKindClient, "pbecho.PbEcho/Say"))
}

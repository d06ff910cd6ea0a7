package otel_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ternhq/tern/framework/client"
	ternotel "github.com/ternhq/tern/framework/contrib/otel"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/server"
)

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// recording is a tracer provider whose spans are kept in memory.
type recording struct {
	rec    *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	tracer *ternotel.Tracer
}

func newRecording(t testing.TB) *recording {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return &recording{rec: rec, tp: tp, tracer: ternotel.NewTracer(ternotel.WithTracerProvider(tp))}
}

// ended waits until n spans have ended (servers end theirs after replying) and returns them.
func (r *recording) ended(t testing.TB, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if spans := r.rec.Ended(); len(spans) >= n {
			return spans
		}
	}
	t.Fatalf("%d spans ended, want %d", len(r.rec.Ended()), n)
	return nil
}

func attr(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func attrString(s sdktrace.ReadOnlySpan, key string) string {
	v, _ := attr(s, key)
	return v.Emit()
}

// relay answers Echo by calling the next service with the handler's context, as a service in the
// middle of a chain does.
type relay struct {
	*echotest.Handler
	next echoservice.Client
}

func (r *relay) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	return r.next.Echo(ctx, req)
}

// hop is one link of a chain: how the previous service calls this one.
type hop struct {
	name string
	opts []client.Option
}

// startChain starts a server per hop, each calling the next over that hop's options, the last one
// answering itself. It returns a client of the first server; every server and client has the given
// tracers.
func startChain(t *testing.T, hops []hop, clientOpts []client.Option, serverOpts []server.Option) echoservice.Client {
	t.Helper()
	var next echoservice.Client
	for i := len(hops) - 1; i >= 0; i-- {
		var addr string
		if next == nil {
			_, addr, _ = echotest.StartServer(t, serverOpts...)
		} else {
			_, addr = echotest.StartHandler(t, &relay{Handler: echotest.NewHandler(), next: next}, serverOpts...)
		}
		opts := append(append([]client.Option{client.WithHostPorts(addr)}, clientOpts...), hops[i].opts...)
		cli := echoservice.MustNewClient("echo", opts...)
		t.Cleanup(func() { _ = cli.Close() })
		next = cli
	}
	return next
}

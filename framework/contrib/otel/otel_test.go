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

// startEcho starts the Thrift echo server with serverOpts and returns a client of it with clientOpts.
func startEcho(t *testing.T, clientOpts []client.Option, serverOpts []server.Option) echoservice.Client {
	t.Helper()
	_, addr, _ := echotest.StartServer(t, serverOpts...)
	cli := echoservice.MustNewClient("echo", append([]client.Option{client.WithHostPorts(addr)}, clientOpts...)...)
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}

package downstream_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/ternhq/tern/app/gateway/internal/api"
	"github.com/ternhq/tern/app/gateway/internal/auth"
	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/framework/client"
	ternotel "github.com/ternhq/tern/framework/contrib/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// TestOneTracePerRequest: with a tracer provider, an HTTP request's span is the parent of the spans of
// the RPC calls it makes (item over gRPC, stock over Kitex Protobuf), so the request is one trace.
func TestOneTracePerRequest(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	b, _ := setup(t, "", client.WithTracer(ternotel.NewTracer(ternotel.WithTracerProvider(tp))))
	signer, err := auth.NewSigner([]byte("trace-test-secret-0123456789abcdef"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	users, err := auth.NewDirectory(nil)
	if err != nil {
		t.Fatal(err)
	}
	h := api.NewServer(api.Deps{Shop: shop.NewService(b), Users: users, Signer: signer,
		Log: slog.New(slog.DiscardHandler), TracerProvider: tp})
	if w := ut.PerformRequest(h.Engine, "GET", "/api/v1/items/1", nil); w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body.Bytes())
	}

	spans := rec.Ended()
	var root trace.SpanContext
	for _, s := range spans {
		if s.Name() == "GET /api/v1/items/:id" {
			root = s.SpanContext()
		}
	}
	if !root.IsValid() {
		t.Fatalf("no HTTP span among %d spans", len(spans))
	}
	children := map[string]bool{}
	for _, s := range spans {
		if s.SpanKind() == trace.SpanKindClient && s.Parent().SpanID() == root.SpanID() &&
			s.SpanContext().TraceID() == root.TraceID() {
			children[s.Name()] = true
		}
	}
	for _, want := range []string{"item.Item/GetItem", "stock.Stock/GetStock"} {
		if !children[want] {
			t.Errorf("no client span %s under the HTTP span; children: %v", want, children)
		}
	}
}

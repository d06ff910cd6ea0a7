package middleware_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/ternhq/tern/app/gateway/internal/middleware"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestTrace(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	h := server.New()
	h.Use(middleware.RequestID(), middleware.Trace(tp))
	var inHandler trace.SpanContext
	h.GET("/items/:id", func(ctx context.Context, c *app.RequestContext) {
		inHandler = trace.SpanContextFromContext(ctx)
		c.String(http.StatusOK, "ok")
	})
	h.GET("/fail", func(_ context.Context, c *app.RequestContext) { c.String(http.StatusBadGateway, "no") })

	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	tests := []struct {
		name, path, traceparent, wantName string
		status                            int
	}{
		{"new trace", "/items/7", "", "GET /items/:id", 200},
		{"continued trace", "/items/8", parent, "GET /items/:id", 200},
		{"server error", "/fail", "", "GET /fail", 502},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdrs []ut.Header
			if tt.traceparent != "" {
				hdrs = append(hdrs, ut.Header{Key: "traceparent", Value: tt.traceparent})
			}
			ut.PerformRequest(h.Engine, "GET", tt.path, nil, hdrs...)
			spans := rec.Ended()
			if len(spans) != i+1 {
				t.Fatalf("%d spans ended, want %d", len(spans), i+1)
			}
			s := spans[i]
			if s.Name() != tt.wantName || s.SpanKind() != trace.SpanKindServer {
				t.Errorf("span %q kind %v", s.Name(), s.SpanKind())
			}
			if !hasAttr(s.Attributes(), attribute.Int("http.response.status_code", tt.status)) {
				t.Errorf("attributes %v lack the status %d", s.Attributes(), tt.status)
			}
			if wantErr := tt.status >= 500; (s.Status().Code == codes.Error) != wantErr {
				t.Errorf("status %v", s.Status())
			}
			if tt.traceparent != "" && s.Parent().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
				t.Errorf("parent %v, want the traceparent's trace", s.Parent())
			}
			if tt.status == 200 && inHandler.SpanID() != s.SpanContext().SpanID() {
				t.Error("the handler's context does not carry the request's span")
			}
		})
	}
}

func hasAttr(attrs []attribute.KeyValue, want attribute.KeyValue) bool {
	for _, a := range attrs {
		if a == want {
			return true
		}
	}
	return false
}

package middleware

import (
	"context"
	"net/http"

	"github.com/cloudwego/hertz/pkg/app"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// traceScope is the instrumentation scope of the gateway's HTTP spans.
const traceScope = "github.com/ternhq/tern/app/gateway"

// Trace starts a server span for every request, "<METHOD> <route>" (the route's pattern, so
// /api/v1/items/7 is "GET /api/v1/items/:id"), continuing the W3C trace context of the request's
// traceparent header when there is one. Handlers get the span in their context, so the RPC client
// spans of the downstream calls become its children and a request is one trace from the gateway down
// to the services. The span records the method, route, status and request id; 5xx marks it an error.
func Trace(tp trace.TracerProvider) app.HandlerFunc {
	tracer := tp.Tracer(traceScope)
	prop := propagation.TraceContext{}
	return func(ctx context.Context, c *app.RequestContext) {
		ctx = prop.Extract(ctx, headerCarrier{c})
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		ctx, span := tracer.Start(ctx, string(c.Method())+" "+route, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				attribute.String("http.request.method", string(c.Method())),
				attribute.String("http.route", route),
				attribute.String("url.path", string(c.Path())),
				attribute.String("client.address", clientKey(c)),
			))
		defer span.End()
		c.Next(ctx)
		status := c.Response.StatusCode()
		span.SetAttributes(attribute.Int("http.response.status_code", status),
			attribute.String("tern.request_id", RequestIDOf(c)))
		if status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
	}
}

// headerCarrier reads a request's headers for a propagator.
type headerCarrier struct{ c *app.RequestContext }

// Get returns a request header.
func (h headerCarrier) Get(key string) string { return string(h.c.Request.Header.Peek(key)) }

// Set does nothing: the carrier is only extracted from.
func (h headerCarrier) Set(string, string) {}

// Keys returns the headers of the W3C trace context.
func (h headerCarrier) Keys() []string { return []string{"traceparent", "tracestate"} }

package otel

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/propagation"

	"github.com/ternhq/tern/framework/metainfo"
)

// metainfoInjector writes propagation fields as transient metainfo values: they reach the next service
// only, which sets its own when it calls further.
type metainfoInjector struct{ ctx context.Context }

func (m *metainfoInjector) Get(string) string { return "" }
func (m *metainfoInjector) Keys() []string    { return nil }
func (m *metainfoInjector) Set(key, value string) {
	m.ctx = metainfo.WithValue(m.ctx, key, value)
}

// metainfoExtractor reads propagation fields from the transient metainfo values a server received.
// Over gRPC metainfo keys arrive upper-cased (as from Kitex), so both spellings are looked up.
type metainfoExtractor struct{ ctx context.Context }

func (m metainfoExtractor) Get(key string) string {
	if v, ok := metainfo.GetValue(m.ctx, key); ok {
		return v
	}
	upper, ok := upperKeys[key]
	if !ok {
		upper = strings.ToUpper(key)
	}
	v, _ := metainfo.GetValue(m.ctx, upper)
	return v
}

// upperKeys are the upper-case spellings of the W3C fields, spared an allocation per call.
var upperKeys = map[string]string{"traceparent": "TRACEPARENT", "tracestate": "TRACESTATE", "baggage": "BAGGAGE"}

func (m metainfoExtractor) Set(string, string) {}

func (m metainfoExtractor) Keys() []string {
	var keys []string
	for k := range metainfo.GetAllValues(m.ctx) {
		keys = append(keys, strings.ToLower(k))
	}
	return keys
}

// inject returns ctx carrying the trace context of its span to the next service.
func inject(ctx context.Context, p propagation.TextMapPropagator) context.Context {
	carrier := metainfoInjector{ctx: ctx}
	p.Inject(ctx, &carrier)
	return carrier.ctx
}

// extract returns ctx with the remote span context (and baggage) the caller sent.
func extract(ctx context.Context, p propagation.TextMapPropagator) context.Context {
	return p.Extract(ctx, metainfoExtractor{ctx: ctx})
}

package otel

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/propagation"

	"github.com/ternhq/tern/framework/metadata"
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

// metadataInjector writes propagation fields as plain gRPC request headers ("traceparent"), where
// gRPC peers instrumented with OpenTelemetry (grpc-go's otelgrpc, and its counterparts in other
// languages) look for them.
type metadataInjector struct{ md metadata.MD }

func (m metadataInjector) Get(key string) string { return m.md.Get(key) }
func (m metadataInjector) Keys() []string {
	keys := make([]string, 0, len(m.md))
	for k := range m.md {
		keys = append(keys, k)
	}
	return keys
}
func (m metadataInjector) Set(key, value string) { m.md.Set(key, value) }

// metainfoExtractor reads propagation fields from the transient metainfo values a server received
// (Tern and Kitex callers) or, failing that, from a gRPC call's plain request headers (other gRPC
// callers). Over gRPC metainfo keys arrive upper-cased (as from Kitex), so both spellings are looked up.
type metainfoExtractor struct{ ctx context.Context }

func (m metainfoExtractor) Get(key string) string {
	if v, ok := metainfo.GetValue(m.ctx, key); ok {
		return v
	}
	upper, ok := upperKeys[key]
	if !ok {
		upper = strings.ToUpper(key)
	}
	if v, ok := metainfo.GetValue(m.ctx, upper); ok {
		return v
	}
	md, _ := metadata.FromIncomingContext(m.ctx)
	return md.Get(key)
}

// upperKeys are the upper-case spellings of the W3C fields, spared an allocation per call.
var upperKeys = map[string]string{"traceparent": "TRACEPARENT", "tracestate": "TRACESTATE", "baggage": "BAGGAGE"}

func (m metainfoExtractor) Set(string, string) {}

func (m metainfoExtractor) Keys() []string {
	var keys []string
	for k := range metainfo.GetAllValues(m.ctx) {
		keys = append(keys, strings.ToLower(k))
	}
	md, _ := metadata.FromIncomingContext(m.ctx)
	for k := range md {
		keys = append(keys, k)
	}
	return keys
}

// inject returns ctx carrying the trace context of its span to the next service.
func inject(ctx context.Context, p propagation.TextMapPropagator) context.Context {
	carrier := metainfoInjector{ctx: ctx}
	p.Inject(ctx, &carrier)
	return carrier.ctx
}

// injectGRPC returns ctx whose gRPC call also carries the trace context of its span as plain request
// headers, next to any the caller set: metainfo reaches Tern and Kitex servers, plain headers every
// other OpenTelemetry-instrumented gRPC server.
func injectGRPC(ctx context.Context, p propagation.TextMapPropagator) context.Context {
	carrier := metadataInjector{md: metadata.MD{}}
	if md, ok := metadata.FromOutgoingContext(ctx); ok {
		carrier.md = md.Copy()
	}
	p.Inject(ctx, carrier)
	return metadata.NewOutgoingContext(ctx, carrier.md)
}

// extract returns ctx with the remote span context (and baggage) the caller sent.
func extract(ctx context.Context, p propagation.TextMapPropagator) context.Context {
	return p.Extract(ctx, metainfoExtractor{ctx: ctx})
}

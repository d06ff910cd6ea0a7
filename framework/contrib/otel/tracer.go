package otel

import (
	"context"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/stats"
)

// Tracer is a stats.Tracer that makes an OpenTelemetry span of every call. Give it to a client
// (client.WithTracer) and a server (server.WithTracer) alike: client calls get client spans, which
// pass their context on to the server, whose spans become their children.
type Tracer struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	events     bool
	attrs      attrCache
}

var _ stats.Tracer = (*Tracer)(nil)

// NewTracer returns a Tracer configured by opts.
func NewTracer(opts ...Option) *Tracer {
	cfg := newConfig(opts)
	return &Tracer{
		tracer:     cfg.tracerProvider.Tracer(ScopeName),
		propagator: cfg.propagator,
		events:     cfg.events,
	}
}

// Start implements stats.Tracer: it starts the call's span. A client span is a child of the span in ctx
// and its context is injected into the call's metainfo (and, for gRPC calls, into plain request
// headers too, for gRPC peers that are not Tern or Kitex); a server span is a child of the span
// context the caller sent.
func (t *Tracer) Start(ctx context.Context, c *stats.Call) context.Context {
	m := t.attrs.get(c)
	kind := trace.SpanKindClient
	if c.Side() == stats.Server {
		kind = trace.SpanKindServer
		ctx = extract(ctx, t.propagator)
	}
	// The span starts and ends now: Start and Finish run right at the call's start and finish events.
	ctx, span := t.tracer.Start(ctx, m.spanName, trace.WithSpanKind(kind), trace.WithAttributes(m.base...))
	if kind == trace.SpanKindClient && span.SpanContext().IsValid() {
		ctx = inject(ctx, t.propagator)
		if m.grpc {
			ctx = injectGRPC(ctx, t.propagator)
		}
	}
	return ctx
}

// Finish implements stats.Tracer: it adds the peer address, the status and the recorded events to the
// span and ends it.
func (t *Tracer) Finish(ctx context.Context, c *stats.Call) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	m := t.attrs.get(c)
	code := rpcerr.CodeOf(c.Err())
	kvs := append(addressAttrs(c.Side(), c.RemoteAddr()), m.code(code).status)
	if m.grpc {
		kvs = append(kvs, keyGRPCStatusCode.Int(int(grpcCode(code))))
	}
	if err := c.Err(); err != nil {
		kvs = append(kvs, keyErrorType.String(code.String()))
		if isError(c.Side(), code) {
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.SetAttributes(kvs...)
	if t.events && c.Level() >= stats.LevelDetailed {
		addEvents(span, c)
	}
	span.End()
}

// addEvents adds a span event for each recorded event between the call's start and finish.
func addEvents(span trace.Span, c *stats.Call) {
	evs := stats.Events(c.Side())
	for _, e := range evs[1 : len(evs)-1] {
		if at, ok := c.Time(e); ok {
			span.AddEvent(e.String(), trace.WithTimestamp(at))
		}
	}
}

// isError reports whether a call ending with code marks its span as failed. Following the gRPC
// semantic conventions, every code but OK does on the client; on the server only the codes that say
// the server failed, not that the caller asked for something wrong.
func isError(side stats.Side, code rpcerr.Code) bool {
	if side == stats.Client {
		return code != rpcerr.CodeOK
	}
	switch code {
	case rpcerr.CodeUnknown, rpcerr.CodeDeadlineExceeded, rpcerr.CodeUnimplemented, rpcerr.CodeInternal,
		rpcerr.CodeUnavailable, rpcerr.CodeDataLoss:
		return true
	}
	return false
}

// grpcCode is the gRPC status a code travels as.
func grpcCode(code rpcerr.Code) rpcerr.Code {
	if code == rpcerr.CodeCircuitOpen {
		return rpcerr.CodeUnavailable
	}
	return code
}

package otel

import (
	otelapi "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the spans and metrics this package makes.
const ScopeName = "github.com/ternhq/tern/framework/contrib/otel"

// Option configures NewTracer and NewMetrics.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	propagator     propagation.TextMapPropagator
	events         bool
}

func newConfig(opts []Option) config {
	c := config{events: true}
	for _, o := range opts {
		o.apply(&c)
	}
	if c.tracerProvider == nil {
		c.tracerProvider = otelapi.GetTracerProvider()
	}
	if c.meterProvider == nil {
		c.meterProvider = otelapi.GetMeterProvider()
	}
	if c.propagator == nil {
		c.propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return c
}

// WithTracerProvider sets where spans go (default: the global provider, otel.GetTracerProvider).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tracerProvider = tp })
}

// WithMeterProvider sets where metrics go (default: the global provider, otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.meterProvider = mp })
}

// WithPropagator sets how the trace context travels between services (default: W3C trace context and
// baggage, whatever the global propagator is).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) { c.propagator = p })
}

// WithSpanEvents sets whether spans get an event for each transport event the call recorded
// (connected, request written, response read, handler start and end, reply written), at
// stats.LevelDetailed (default true).
func WithSpanEvents(on bool) Option {
	return optionFunc(func(c *config) { c.events = on })
}

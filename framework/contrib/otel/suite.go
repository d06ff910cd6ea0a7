package otel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/server"
)

// Exporters a SuiteConfig may name.
const (
	ExporterNone    = "none"    // no spans: servers and clients get metrics only
	ExporterConsole = "console" // spans written as JSON to SuiteConfig.Console
	ExporterOTLP    = "otlp"    // spans sent over OTLP to SuiteConfig.Endpoint
)

// SuiteConfig configures NewSuite.
type SuiteConfig struct {
	// ServiceName names the service in spans and metrics.
	ServiceName string
	// Exporter is ExporterNone (the default), ExporterConsole or ExporterOTLP.
	Exporter string
	// Endpoint is the OTLP collector's host:port (Jaeger takes 4317 for gRPC, 4318 for HTTP).
	Endpoint string
	// OTLPHTTP sends OTLP over HTTP instead of gRPC.
	OTLPHTTP bool
	// Insecure sends OTLP without TLS, as to a collector on the same host or network.
	Insecure bool
	// SampleRatio is the share of new traces sampled, 0..1; 0 means all. A call whose caller sampled
	// it (or not) follows the caller.
	SampleRatio float64
	// Console is where ExporterConsole writes (default os.Stdout).
	Console io.Writer
}

// Suite is a service's observability in one value: a tracer provider exporting as configured, a
// Prometheus meter provider, and the Tracer and Metrics built on them. Its ServerOptions and
// ClientOptions instrument servers and clients; Shutdown flushes what is buffered.
type Suite struct {
	tp      *sdktrace.TracerProvider // nil without spans
	mp      *sdkmetric.MeterProvider
	tracer  *Tracer
	metrics *Metrics
	handler http.Handler
}

// NewSuite builds the suite cfg describes.
func NewSuite(ctx context.Context, cfg SuiteConfig) (*Suite, error) {
	mp, handler, err := NewPrometheus(cfg.ServiceName)
	if err != nil {
		return nil, err
	}
	s := &Suite{mp: mp, handler: handler}
	if s.metrics, err = NewMetrics(WithMeterProvider(mp)); err != nil {
		return nil, err
	}
	exp, err := cfg.exporter(ctx)
	if err != nil || exp == nil {
		return s, err
	}
	ratio := cfg.SampleRatio
	if ratio <= 0 {
		ratio = 1
	}
	s.tp = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(serviceResource(cfg.ServiceName)),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))))
	s.tracer = NewTracer(WithTracerProvider(s.tp))
	return s, nil
}

// exporter returns the span exporter cfg names, nil for none.
func (cfg SuiteConfig) exporter(ctx context.Context) (sdktrace.SpanExporter, error) {
	switch cfg.Exporter {
	case ExporterNone, "":
		return nil, nil
	case ExporterConsole:
		w := cfg.Console
		if w == nil {
			w = os.Stdout
		}
		return StdoutExporter(w)
	case ExporterOTLP:
		if cfg.Endpoint == "" {
			return nil, errors.New("otel: the OTLP exporter needs an endpoint")
		}
		if cfg.OTLPHTTP {
			return OTLPHTTPExporter(ctx, cfg.Endpoint, cfg.Insecure)
		}
		return OTLPGRPCExporter(ctx, cfg.Endpoint, cfg.Insecure)
	}
	return nil, fmt.Errorf("otel: unknown exporter %q (want %s, %s or %s)", cfg.Exporter, ExporterNone, ExporterConsole, ExporterOTLP)
}

// ServerOptions instrument a server: spans (unless the exporter is none) and metrics.
func (s *Suite) ServerOptions() []server.Option {
	opts := []server.Option{server.WithTracer(s.metrics)}
	if s.tracer != nil {
		opts = append([]server.Option{server.WithTracer(s.tracer)}, opts...)
	}
	return opts
}

// ClientOptions instrument a client: spans (unless the exporter is none) and metrics.
func (s *Suite) ClientOptions() []client.Option {
	opts := []client.Option{client.WithTracer(s.metrics)}
	if s.tracer != nil {
		opts = append([]client.Option{client.WithTracer(s.tracer)}, opts...)
	}
	return opts
}

// MetricsHandler serves the metrics to Prometheus; mount it at /metrics.
func (s *Suite) MetricsHandler() http.Handler { return s.handler }

// TracerProvider is the suite's tracer provider, for instrumenting other libraries (databases,
// caches) into the same traces; nil when the exporter is none.
func (s *Suite) TracerProvider() *sdktrace.TracerProvider { return s.tp }

// MeterProvider is the suite's meter provider, whose metrics MetricsHandler serves.
func (s *Suite) MeterProvider() *sdkmetric.MeterProvider { return s.mp }

// Shutdown exports the spans still buffered and stops the providers.
func (s *Suite) Shutdown(ctx context.Context) error {
	var errs []error
	if s.tp != nil {
		errs = append(errs, s.tp.Shutdown(ctx))
	}
	errs = append(errs, s.mp.Shutdown(ctx))
	return errors.Join(errs...)
}

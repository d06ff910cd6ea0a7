package platform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ternhq/tern/framework/client"
	ternotel "github.com/ternhq/tern/framework/contrib/otel"
	"github.com/ternhq/tern/framework/server"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// otelTelemetry is the platform's own Telemetry, on framework/contrib/otel: a span for every call on
// both sides (the W3C trace context travelling in metainfo, so one request is one trace across
// services), for every database statement and every Redis command; RPC metrics for Prometheus; trace
// ids in logs.
type otelTelemetry struct {
	tp        *sdktrace.TracerProvider
	tracer    *ternotel.Tracer
	metrics   *ternotel.Metrics
	spans     trace.Tracer
	httpSrv   *http.Server
	metricsAt string
}

// NewOTel builds the platform's OpenTelemetry telemetry from cfg.Telemetry: spans go to the console
// (stderr, or consoleOut when not nil), to OTLP/gRPC at the endpoint, or nowhere with the none
// exporter (spans are still made and propagated, so trace ids show in logs); metrics are served at
// http://<metrics_addr>/metrics when metrics_addr is set. It is what New uses unless WithTelemetry
// replaces it.
func NewOTel(ctx context.Context, cfg *Config, consoleOut io.Writer) (Telemetry, error) {
	tc := cfg.Telemetry
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", cfg.Service))), sdktrace.WithSampler(sampler(tc.SampleRatio))}
	switch tc.Exporter {
	case ExporterConsole:
		exp, err := ternotel.StdoutExporter(consoleOut)
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	case ExporterOTLP:
		exp, err := ternotel.OTLPGRPCExporter(ctx, tc.Endpoint, true)
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	t := &otelTelemetry{tp: sdktrace.NewTracerProvider(opts...)}
	t.tracer = ternotel.NewTracer(ternotel.WithTracerProvider(t.tp), ternotel.WithSpanEvents(false))
	t.spans = t.tp.Tracer(scopeName)
	mp, handler, err := ternotel.NewPrometheus(cfg.Service)
	if err != nil {
		return nil, err
	}
	if t.metrics, err = ternotel.NewMetrics(ternotel.WithMeterProvider(mp)); err != nil {
		return nil, err
	}
	if tc.MetricsAddr != "" {
		if err := t.serveMetrics(tc.MetricsAddr, handler); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// scopeName is the instrumentation scope of the database and Redis spans.
const scopeName = "github.com/ternhq/tern/framework/platform"

func sampler(ratio float64) sdktrace.Sampler {
	if ratio <= 0 || ratio >= 1 {
		return sdktrace.ParentBased(sdktrace.AlwaysSample())
	}
	return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))
}

// serveMetrics serves handler at /metrics on addr.
func (t *otelTelemetry) serveMetrics(addr string, handler http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("telemetry.metrics_addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", handler)
	t.httpSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	t.metricsAt = ln.Addr().String()
	go func() { _ = t.httpSrv.Serve(ln) }()
	return nil
}

// TracerProvider returns the tracer provider the spans go to.
func (t *otelTelemetry) TracerProvider() trace.TracerProvider { return t.tp }

// MetricsAddr returns the address metrics are served at, "" when they are not.
func (t *otelTelemetry) MetricsAddr() string { return t.metricsAt }

// ServerOptions implements Telemetry.
func (t *otelTelemetry) ServerOptions() []server.Option {
	return []server.Option{server.WithTracer(t.tracer), server.WithTracer(t.metrics)}
}

// ClientOptions implements Telemetry.
func (t *otelTelemetry) ClientOptions() []client.Option {
	return []client.Option{client.WithTracer(t.tracer), client.WithTracer(t.metrics)}
}

// InstrumentDB implements DBInstrumenter.
func (t *otelTelemetry) InstrumentDB(db *gorm.DB) error { return instrumentDB(db, t.spans) }

// InstrumentRedis implements RedisInstrumenter.
func (t *otelTelemetry) InstrumentRedis(rdb *redis.Client) error {
	rdb.AddHook(redisHook{tracer: t.spans, addr: rdb.Options().Addr})
	return nil
}

// Shutdown implements Telemetry: it stops the metrics endpoint and flushes the spans.
func (t *otelTelemetry) Shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var errs []error
	if t.httpSrv != nil {
		errs = append(errs, t.httpSrv.Shutdown(ctx))
	}
	return errors.Join(append(errs, t.tp.Shutdown(ctx))...)
}

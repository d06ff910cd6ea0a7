package otel

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	promexporter "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// serviceResource describes the service in exported spans and metrics.
func serviceResource(serviceName string) *resource.Resource {
	return resource.NewSchemaless(attribute.String("service.name", serviceName))
}

// NewTracerProvider returns a tracer provider that batches spans to exp, naming the service
// serviceName. Shut it down when the application stops, to flush the last spans.
func NewTracerProvider(exp sdktrace.SpanExporter, serviceName string) *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(serviceResource(serviceName)))
}

// StdoutExporter returns an exporter that writes spans to w as indented JSON, for development.
func StdoutExporter(w io.Writer) (sdktrace.SpanExporter, error) {
	return stdouttrace.New(stdouttrace.WithWriter(w), stdouttrace.WithPrettyPrint())
}

// OTLPGRPCExporter returns an exporter that sends spans over OTLP/gRPC to endpoint ("host:4317"),
// without TLS when insecure.
func OTLPGRPCExporter(ctx context.Context, endpoint string, insecure bool) (sdktrace.SpanExporter, error) {
	opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(endpoint)}
	if insecure {
		opts = append(opts, otlptracegrpc.WithInsecure())
	}
	return otlptracegrpc.New(ctx, opts...)
}

// OTLPHTTPExporter returns an exporter that sends spans over OTLP/HTTP to endpoint ("host:4318"),
// without TLS when insecure.
func OTLPHTTPExporter(ctx context.Context, endpoint string, insecure bool) (sdktrace.SpanExporter, error) {
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpoint(endpoint)}
	if insecure {
		opts = append(opts, otlptracehttp.WithInsecure())
	}
	return otlptracehttp.New(ctx, opts...)
}

// NewPrometheus returns a meter provider whose metrics are scraped through the returned handler (mount
// it at /metrics), naming the service serviceName. The metrics live in a registry of their own, which
// also holds the Go runtime and process collectors.
func NewPrometheus(serviceName string) (*sdkmetric.MeterProvider, http.Handler, error) {
	reg := prometheus.NewRegistry()
	exp, err := promexporter.New(promexporter.WithRegisterer(reg))
	if err != nil {
		return nil, nil, fmt.Errorf("otel: prometheus exporter: %w", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp), sdkmetric.WithResource(serviceResource(serviceName)))
	return mp, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), nil
}

// Package otel connects Tern's stats tracers to OpenTelemetry: spans for every call, RPC metrics
// exported to Prometheus, and trace ids in log records.
//
// Tracing: NewTracer returns a stats.Tracer that starts a client or server span named
// "package.Service/Method" with the RPC semantic-convention attributes (rpc.system, rpc.service,
// rpc.method, server and peer addresses, rpc.response.status_code), and propagates the W3C trace
// context (traceparent, tracestate, baggage) to the next service as transient metainfo. Metainfo rides
// TTHeader string headers ("RPC_TRANSIT_traceparent", as Kitex's obs-opentelemetry sends it) and gRPC
// metadata ("rpc-transit-traceparent"), so one trace spans Thrift, Kitex Protobuf and gRPC hops. gRPC
// calls also carry the plain "traceparent" header that other instrumented gRPC peers (grpc-go with
// otelgrpc, and the like in other languages) send and read; a server takes either.
//
// Metrics: NewMetrics returns a stats.Tracer that counts calls by method, side and status code, records
// their latency and tracks calls in flight; NewPrometheus gives a MeterProvider and the /metrics
// handler that serves it.
//
// Logging: NewLogHandler wraps a slog.Handler so that records logged with a call's context carry its
// trace_id and span_id.
//
// Exporters are the application's choice; this package starts none by default. NewSuite builds the
// usual setup from a small configuration (none, console or OTLP spans; Prometheus metrics), and its
// ServerOptions and ClientOptions instrument servers and clients:
//
//	suite, err := ternotel.NewSuite(ctx, ternotel.SuiteConfig{ServiceName: "cart",
//		Exporter: ternotel.ExporterOTLP, Endpoint: "jaeger:4317", Insecure: true})
//	defer suite.Shutdown(ctx)
//	svr := cartservice.NewServer(new(CartImpl), suite.ServerOptions()...)
//	http.Handle("/metrics", suite.MetricsHandler())
//
// The pieces are there to assemble differently; NewTracerProvider, StdoutExporter and the OTLP
// exporter helpers build the usual providers:
//
//	exp, err := ternotel.OTLPGRPCExporter(ctx, "localhost:4317", true)
//	tp := ternotel.NewTracerProvider(exp, "cart")
//	defer tp.Shutdown(ctx)
//	mp, metricsHandler, err := ternotel.NewPrometheus("cart")
//	metrics, err := ternotel.NewMetrics(ternotel.WithMeterProvider(mp))
//	tracer := ternotel.NewTracer(ternotel.WithTracerProvider(tp))
//	svr := server.NewServer(server.WithTracer(tracer), server.WithTracer(metrics),
//		server.WithLogger(slog.New(ternotel.NewLogHandler(slog.NewJSONHandler(os.Stderr, nil)))))
//	http.Handle("/metrics", metricsHandler)
package otel

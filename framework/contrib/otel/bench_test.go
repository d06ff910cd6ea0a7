package otel_test

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ternhq/tern/framework/client"
	ternotel "github.com/ternhq/tern/framework/contrib/otel"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/stats"
)

// BenchmarkEchoObservability is the 1 KiB echo over loopback (TTHeader, pooled connections) with
// observability off, tracing on (every span sampled and batched to an exporter that drops them),
// tracing without span events for the transport events, metrics on (Prometheus), and both; client and server observe alike. The difference from "off" is
// the per-call cost of both sides together.
func BenchmarkEchoObservability(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tracer := ternotel.NewTracer(ternotel.WithTracerProvider(tp))
	lean := ternotel.NewTracer(ternotel.WithTracerProvider(tp), ternotel.WithSpanEvents(false))
	mp, _, err := ternotel.NewPrometheus("bench")
	if err != nil {
		b.Fatal(err)
	}
	metrics, err := ternotel.NewMetrics(ternotel.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name    string
		tracers []stats.Tracer
	}{
		{"off", nil},
		{"tracing", []stats.Tracer{tracer}},
		{"tracing-no-span-events", []stats.Tracer{lean}},
		{"metrics", []stats.Tracer{metrics}},
		{"tracing+metrics", []stats.Tracer{tracer, metrics}},
	}
	msg := strings.Repeat("x", 1024)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var sopts []server.Option
			copts := []client.Option{}
			for _, t := range c.tracers {
				sopts = append(sopts, server.WithTracer(t))
				copts = append(copts, client.WithTracer(t))
			}
			_, addr, _ := echotest.StartServer(b, sopts...)
			cli := echoservice.MustNewClient("echo", append(copts, client.WithHostPorts(addr))...)
			defer cli.Close()
			req, ctx := &echo.Request{Message: msg}, context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			reportCPU(b)
			for b.Loop() {
				if _, err := cli.Echo(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCallOverhead measures what observability adds to one call, both sides together, without
// the network: the client's record and tracers, the trace context carried in metainfo as the
// transport carries it, the server's record and tracers. It is the CPU cost the loopback benchmark's
// differences show, without their noise.
func BenchmarkCallOverhead(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	mp, _, err := ternotel.NewPrometheus("bench")
	if err != nil {
		b.Fatal(err)
	}
	metrics, err := ternotel.NewMetrics(ternotel.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	tracer := ternotel.NewTracer(ternotel.WithTracerProvider(tp))
	lean := ternotel.NewTracer(ternotel.WithTracerProvider(tp), ternotel.WithSpanEvents(false))
	cases := []struct {
		name    string
		tracers []stats.Tracer
	}{
		{"tracing", []stats.Tracer{tracer}},
		{"tracing-no-span-events", []stats.Tracer{lean}},
		{"metrics", []stats.Tracer{metrics}},
		{"tracing+metrics", []stats.Tracer{tracer, metrics}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctl := stats.NewController(stats.LevelDetailed, c.tracers...)
			base := callContext(context.Background())
			b.ReportAllocs()
			reportCPU(b)
			for b.Loop() {
				simulateCall(ctl, base)
			}
		})
	}
}

// simulateCall records one call on both sides as client and server would, passing the outgoing
// metainfo to the server as the transport does.
func simulateCall(ctl *stats.Controller, base context.Context) {
	cctx, ccall := ctl.Start(base, stats.Client, echoInfo)
	ccall.SetRemoteAddr("127.0.0.1:8888")
	ccall.Record(stats.ClientConnected)
	ccall.Record(stats.ClientRequestWritten)
	sctx := metainfo.WithIncoming(base, func(yield func(k, v []byte) bool) {
		metainfo.RangeOutgoing(cctx, func(k, v string) bool { return yield([]byte(k), []byte(v)) })
	})
	sctx, scall := ctl.Start(sctx, stats.Server, echoInfo)
	for _, e := range []stats.Event{stats.ServerHandlerStart, stats.ServerHandlerEnd, stats.ServerResponseWritten} {
		scall.Record(e)
	}
	ctl.Finish(sctx, scall, nil)
	ccall.Record(stats.ClientResponseRead)
	ctl.Finish(cctx, ccall, nil)
}

package otel_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"

	ternotel "github.com/ternhq/tern/framework/contrib/otel"
	"github.com/ternhq/tern/framework/internal/gen/echo"
)

// TestSuiteExporters: each exporter a suite can be configured with receives the spans of a call once
// the suite shuts down, and the metrics are served whatever the exporter.
func TestSuiteExporters(t *testing.T) {
	var otlpPosts, otlpGRPC atomic.Int64
	grpcCollector := startGRPCCollector(t, &otlpGRPC)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/traces" {
			otlpPosts.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	var console syncBuffer
	cases := []struct {
		name      string
		cfg       ternotel.SuiteConfig
		exported  func() bool
		wantSpans bool
	}{
		{"none", ternotel.SuiteConfig{ServiceName: "echo"}, func() bool { return true }, false},
		{"console", ternotel.SuiteConfig{ServiceName: "echo", Exporter: ternotel.ExporterConsole, Console: &console},
			func() bool { return strings.Contains(console.String(), `"Name": "echo.Echo/Echo"`) }, true},
		{"otlp over http", ternotel.SuiteConfig{ServiceName: "echo", Exporter: ternotel.ExporterOTLP, OTLPHTTP: true,
			Insecure: true, Endpoint: strings.TrimPrefix(collector.URL, "http://")},
			func() bool { return otlpPosts.Load() > 0 }, true},
		{"otlp over grpc", ternotel.SuiteConfig{ServiceName: "echo", Exporter: ternotel.ExporterOTLP, Insecure: true,
			Endpoint: grpcCollector}, func() bool { return otlpGRPC.Load() > 0 }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ternotel.NewSuite(testContext(t), c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if (s.TracerProvider() != nil) != c.wantSpans {
				t.Fatalf("tracer provider %v, want spans %v", s.TracerProvider(), c.wantSpans)
			}
			cli := startEcho(t, s.ClientOptions(), s.ServerOptions())
			if _, err := cli.Echo(testContext(t), &echo.Request{Message: "m"}); err != nil {
				t.Fatal(err)
			}
			page := waitFor(t, s.MetricsHandler(), "rpc_server_calls_total", []string{`rpc_method="Echo"`}, 1)
			if got := sample(t, page, "rpc_client_calls_total", `rpc_method="Echo"`); got != 1 {
				t.Fatalf("rpc_client_calls_total = %v, want 1", got)
			}
			if err := s.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !c.exported() {
				t.Fatal("the spans were not exported")
			}
		})
	}
}

func TestSuiteConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		cfg  ternotel.SuiteConfig
		want string
	}{
		{"otlp without endpoint", ternotel.SuiteConfig{Exporter: ternotel.ExporterOTLP}, "endpoint"},
		{"unknown exporter", ternotel.SuiteConfig{Exporter: "zipkin"}, "zipkin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ternotel.NewSuite(testContext(t), c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("NewSuite error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

// traceCollector counts the spans an OTLP/gRPC exporter sends.
type traceCollector struct {
	coltracepb.UnimplementedTraceServiceServer
	spans *atomic.Int64
}

func (c *traceCollector) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			c.spans.Add(int64(len(ss.GetSpans())))
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// startGRPCCollector starts an OTLP/gRPC trace collector on loopback and returns its address.
func startGRPCCollector(t *testing.T, spans *atomic.Int64) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, &traceCollector{spans: spans})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

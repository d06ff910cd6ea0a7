package platform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/server"
	"gorm.io/gorm"
)

// exportedSpan is the part of a console-exported span the test reads.
type exportedSpan struct {
	Name        string
	SpanContext struct{ TraceID, SpanID string }
	Parent      struct{ SpanID string }
}

// readSpans decodes the console exporter's output.
func readSpans(t *testing.T, data []byte) []exportedSpan {
	t.Helper()
	var spans []exportedSpan
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var s exportedSpan
		if err := dec.Decode(&s); errors.Is(err, io.EOF) {
			return spans
		} else if err != nil {
			t.Fatalf("console output: %v", err)
		}
		spans = append(spans, s)
	}
}

// queryingHandler runs a statement and a Redis command in the handler's context, as a service does.
func queryingHandler(db *gorm.DB, rdb *redis.Client) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			var n int
			if err := db.WithContext(ctx).Raw("SELECT 1").Scan(&n).Error; err != nil {
				return err
			}
			if err := rdb.Get(ctx, "absent").Err(); !errors.Is(err, redis.Nil) {
				return err
			}
			return next(ctx, req, resp)
		}
	}
}

// One call is one trace: the client span, the server span, and the database and Redis spans made while
// serving it, exported to the console; its RPC metrics are served for Prometheus.
func TestOTelTrace(t *testing.T) {
	ctx := platformtest.Context(t, 30*time.Second)
	cfg := testConfig()
	cfg.Telemetry = platform.TelemetryConfig{Exporter: platform.ExporterConsole, MetricsAddr: "127.0.0.1:0"}
	cfg.DB = platform.DBConfig{Driver: platform.DriverSQLite, DSN: filepath.Join(t.TempDir(), "t.db")}
	cfg.Redis.Addr = platform.RedisEmbedded
	var spans bytes.Buffer
	p, err := platform.New(ctx, cfg, platform.WithLogOutput(io.Discard),
		platform.WithTelemetry(func(ctx context.Context, c *platform.Config) (platform.Telemetry, error) {
			return platform.NewOTel(ctx, c, &spans)
		}))
	if err != nil {
		t.Fatal(err)
	}
	db, err := p.DB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rdb, err := p.Redis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sopts, err := p.ServerOptions(server.WithSignalHandling(false), server.WithMiddleware(queryingHandler(db, rdb)))
	if err != nil {
		t.Fatal(err)
	}
	svr := echoservice.NewServer(echotest.NewHandler(), sopts...)
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	defer svr.Stop()
	cfg.Clients = map[string]platform.ClientConfig{"echo": {Service: "Echo", Addrs: svr.Addr().String()}}
	dest, copts, err := p.ClientOptions("echo")
	if err != nil {
		t.Fatal(err)
	}
	cli := echoservice.MustNewClient(dest, copts...)
	defer cli.Close()
	if _, err := cli.Echo(ctx, &echo.Request{Message: "hi"}); err != nil {
		t.Fatal(err)
	}
	if m := scrape(t, ctx, p.MetricsAddr()); !strings.Contains(m, "rpc_server_calls") || !strings.Contains(m, "rpc_client_calls") {
		t.Errorf("metrics after a call:\n%.2000s", m)
	}
	_ = svr.Stop()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	checkOneTrace(t, readSpans(t, spans.Bytes()))
}

// checkOneTrace checks that the spans are a client span, a server span, a database span and a Redis
// span, all of one trace.
func checkOneTrace(t *testing.T, spans []exportedSpan) {
	t.Helper()
	names := map[string]bool{}
	for _, s := range spans {
		names[s.Name] = true
		if s.SpanContext.TraceID != spans[0].SpanContext.TraceID {
			t.Errorf("span %s is in trace %s, want %s", s.Name, s.SpanContext.TraceID, spans[0].SpanContext.TraceID)
		}
	}
	rpcSpans := 0
	for n := range names {
		if strings.Contains(n, "Echo/Echo") {
			rpcSpans++
		}
	}
	if len(spans) != 4 || rpcSpans == 0 || !names["gorm.row"] || !names["redis.get"] {
		t.Fatalf("spans %v, want the client and server spans of Echo, gorm.row and redis.get", names)
	}
}

// scrape returns what the metrics endpoint at addr serves.
func scrape(t *testing.T, ctx context.Context, addr string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d, %v", resp.StatusCode, err)
	}
	return string(body)
}

// The platform shares its tracer provider: spans made with it (an HTTP server's) join the traces of the
// calls they lead to; without OpenTelemetry telemetry it is a no-op.
func TestTracerProvider(t *testing.T) {
	ctx := platformtest.Context(t, 30*time.Second)
	cfg := testConfig()
	cfg.Telemetry = platform.TelemetryConfig{Exporter: platform.ExporterNone}
	p, err := platform.New(ctx, cfg, platform.WithLogOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, span := p.TracerProvider().Tracer("test").Start(ctx, "http")
	defer span.End()
	if !span.SpanContext().IsValid() || !span.SpanContext().IsSampled() {
		t.Fatalf("span from the platform's provider: %v, want a recorded span", span.SpanContext())
	}
}

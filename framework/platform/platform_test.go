package platform_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/server"
)

// countingTelemetry counts the calls its middleware sees, on each side.
type countingTelemetry struct {
	serverCalls, clientCalls atomic.Int64
	shutdown                 atomic.Bool
}

func counter(n *atomic.Int64) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			n.Add(1)
			return next(ctx, req, resp)
		}
	}
}

func (c *countingTelemetry) ServerOptions() []server.Option {
	return []server.Option{server.WithMiddleware(counter(&c.serverCalls))}
}

func (c *countingTelemetry) ClientOptions() []client.Option {
	return []client.Option{client.WithMiddleware(counter(&c.clientCalls))}
}

func (c *countingTelemetry) Shutdown(context.Context) error {
	c.shutdown.Store(true)
	return nil
}

func testConfig() *platform.Config {
	var c platform.Config
	if err := platform.Decode([]byte("service: echo-test\nserver:\n  addr: 127.0.0.1:0\nlog:\n  level: warn\n"), &c); err != nil {
		panic(err)
	}
	return &c
}

// A server built from ServerOptions answers a client built from ClientOptions, both instrumented by the
// plugged-in telemetry, which Close shuts down.
func TestServerAndClientOptions(t *testing.T) {
	ctx := platformtest.Context(t, 20*time.Second)
	cfg := testConfig()
	cfg.Telemetry.Exporter = platform.ExporterConsole
	tel := &countingTelemetry{}
	p, err := platform.New(ctx, cfg, platform.WithLogOutput(io.Discard),
		platform.WithTelemetry(func(context.Context, *platform.Config) (platform.Telemetry, error) { return tel, nil }))
	if err != nil {
		t.Fatal(err)
	}
	svr := startEcho(t, p)

	cfg.Clients = map[string]platform.ClientConfig{"echo": {Service: "Echo", Addrs: svr.Addr().String(), Timeout: 2 * time.Second}}
	dest, copts, err := p.ClientOptions("echo")
	if err != nil || dest != "Echo" {
		t.Fatalf("ClientOptions = %q, %v", dest, err)
	}
	cli, err := echoservice.NewClient(dest, copts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Echo(ctx, &echo.Request{Message: "hi"})
	if err != nil || resp.Message != "hi" {
		t.Fatalf("Echo = %+v, %v", resp, err)
	}
	if tel.serverCalls.Load() != 1 || tel.clientCalls.Load() != 1 {
		t.Errorf("telemetry saw %d server and %d client calls, want 1 and 1", tel.serverCalls.Load(), tel.clientCalls.Load())
	}
	if err := p.Close(); err != nil || !tel.shutdown.Load() {
		t.Errorf("Close = %v, telemetry shut down %v", err, tel.shutdown.Load())
	}
}

func TestNewErrors(t *testing.T) {
	ctx := platformtest.Context(t, 10*time.Second)
	cases := []struct {
		name string
		edit func(c *platform.Config)
		opts []platform.Option
		want string
	}{
		{"metrics address taken", func(c *platform.Config) { c.Telemetry.MetricsAddr = "127.0.0.1:99999" }, nil, "telemetry.metrics_addr"},
		{"bad nacos address", func(c *platform.Config) { c.Registry = platform.RegistryConfig{Kind: "nacos", Addrs: "nacos"} }, nil, "registry.addrs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig()
			tc.edit(c)
			_, err := platform.New(ctx, c, append(tc.opts, platform.WithLogOutput(io.Discard))...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestClientOptionsErrors(t *testing.T) {
	ctx := platformtest.Context(t, 10*time.Second)
	p, err := platform.New(ctx, testConfig(), platform.WithLogOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Config().Clients = map[string]platform.ClientConfig{"empty": {}}
	for _, target := range []string{"missing", "empty"} {
		t.Run(target, func(t *testing.T) {
			if _, _, err := p.ClientOptions(target); err == nil || !strings.Contains(err.Error(), "clients."+target) {
				t.Fatalf("ClientOptions(%q) = %v", target, err)
			}
		})
	}
	if _, err := p.DB(ctx); err == nil {
		t.Error("DB without a driver succeeded")
	}
	if _, err := p.Redis(ctx); err == nil {
		t.Error("Redis without an address succeeded")
	}
}

func TestNewLogger(t *testing.T) {
	var b strings.Builder
	c := testConfig()
	c.Log.Format = "json"
	l, err := platform.NewLogger(&b, c)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hidden")
	l.Warn("shown")
	if out := b.String(); strings.Contains(out, "hidden") || !strings.Contains(out, `"service":"echo-test"`) {
		t.Errorf("log output %q", out)
	}
}

// startEcho starts the Thrift echo service with p's server options; it stops when the test ends.
func startEcho(t *testing.T, p *platform.Platform) *server.Server {
	t.Helper()
	sopts, err := p.ServerOptions(server.WithSignalHandling(false))
	if err != nil {
		t.Fatal(err)
	}
	svr := echoservice.NewServer(echotest.NewHandler(), sopts...)
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	return svr
}

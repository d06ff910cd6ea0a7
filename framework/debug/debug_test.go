package debug_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/debug"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/limit"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// get fetches path from h and returns the status and body.
func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequestWithContext(testContext(t), http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// setUp starts an echo server and a client that has made one call. The test's own components are the
// only live ones: tests in this package do not run in parallel.
func setUp(t *testing.T) (*debug.Handler, string) {
	_, addr, _ := echotest.StartServer(t, server.WithLimit(limit.Config{MaxConcurrency: 100}))
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithCircuitBreaker(nil),
		client.WithRPCTimeout(time.Second))
	t.Cleanup(func() { _ = cli.Close() })
	if _, err := cli.Echo(testContext(t), &echo.Request{Message: "warm"}); err != nil {
		t.Fatal(err)
	}
	return debug.NewHandler(), addr
}

// TestPage: the overview shows the server's services and methods, settings and counters, and the
// client's options, pool, breakers and resolved instances.
func TestPage(t *testing.T) {
	h, addr := setUp(t)
	status, body := get(t, h, "/debug/tern")
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var page debug.Page
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	srv, cli := page.Servers["Echo,Greeter"], page.Clients["echo"]
	checks := []struct {
		name string
		ok   bool
	}{
		{"server address", srv.Addr == addr},
		{"services", len(srv.Services) == 2 && srv.Services[0].Name == "Echo" && strings.Join(srv.Services[0].Methods, ",") == "Echo,Notify"},
		{"server options", srv.Options.MaxFrameSize > 0 && srv.Options.Limits.MaxConcurrency == 100 && srv.Options.ReadWriteTimeout == "5s"},
		{"server counters", srv.Connections == 1 && srv.Limits != nil},
		{"client service", cli.Service == "Echo" && cli.Package == "echo" && strings.Join(cli.Methods, ",") == "Echo,Notify"},
		{"client options", cli.Options.RPCTimeout == "1s" && cli.Options.Protocol != "" && cli.Options.CircuitBreakers && cli.Options.StatsLevel == "disabled"},
		{"client pool", cli.Pool != nil && cli.Pool.Dials == 1 && cli.Pool.Idle == 1},
		{"client breakers", len(cli.MethodBreakers) == 1 && cli.MethodBreakers[0].State == "closed"},
		{"resolved instances", cli.Resolver != nil && len(cli.Resolver.Instances) == 1 && cli.Resolver.Instances[0].Address == addr},
		{"runtime", page.Runtime.Goroutines > 0 && page.Runtime.GoVersion != ""},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Fatalf("unexpected page: %s", body)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	h, _ := setUp(t)
	cases := []struct {
		path       string
		wantStatus int
		wantBody   string
	}{
		{"/debug/tern/servers/Echo,Greeter", http.StatusOK, `"name": "Greeter"`},
		{"/debug/tern/clients/echo", http.StatusOK, `"dest_service": "echo"`},
		{"/debug/tern/clients/nobody", http.StatusNotFound, `"echo"`},
		{"/debug/tern/servers/nobody", http.StatusNotFound, `"Echo,Greeter"`},
		{"/debug/pprof/", http.StatusOK, "goroutine"},
		{"/debug/pprof/cmdline", http.StatusOK, ""},
		{"/debug/pprof/goroutine?debug=1", http.StatusOK, "goroutine profile"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			status, body := get(t, h, c.path)
			if status != c.wantStatus || !strings.Contains(body, c.wantBody) {
				t.Fatalf("status %d, body %.300s; want %d containing %q", status, body, c.wantStatus, c.wantBody)
			}
		})
	}
}

// TestSameNames: a second client of the same service is told apart by a suffix.
func TestSameNames(t *testing.T) {
	h, addr := setUp(t)
	other := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithMuxConnection(2))
	defer other.Close()
	if _, err := other.Echo(testContext(t), &echo.Request{Message: "m"}); err != nil {
		t.Fatal(err)
	}
	status, body := get(t, h, "/debug/tern/clients/echo%232")
	if status != http.StatusOK || !strings.Contains(body, `"connections": "mux"`) || !strings.Contains(body, `"mux_connections"`) {
		t.Fatalf("status %d: %s", status, body)
	}
}

// TestGRPCClient: a gRPC client shows its shared HTTP/2 connection.
func TestGRPCClient(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(transport.GRPC))
	defer cli.Close()
	if _, err := cli.Say(testContext(t), &pbecho.Msg{Value: "v"}); err != nil {
		t.Fatal(err)
	}
	status, body := get(t, debug.NewHandler(), "/debug/tern/clients/pbecho")
	var d client.Description
	if err := json.Unmarshal([]byte(body), &d); err != nil || status != http.StatusOK {
		t.Fatalf("status %d, %v: %s", status, err, body)
	}
	if d.GRPCConnections[addr] != 1 || d.Options.Connections != "http2" || d.Options.Protocol != "GRPC" {
		t.Fatalf("gRPC client described as %s", body)
	}
}

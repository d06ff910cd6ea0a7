package otel_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	ternotel "github.com/ternhq/tern/framework/contrib/otel"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/server"
)

// scrape fetches the metrics page h serves.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: status %d, %v", resp.StatusCode, err)
	}
	return string(body)
}

// sample returns the value of the series of metric name whose labels include every one of labels
// ("key=\"value\""), summed over the series that match; -1 when none does.
func sample(t *testing.T, page, name string, labels ...string) float64 {
	t.Helper()
	total, found := 0.0, false
	sc := bufio.NewScanner(strings.NewReader(page))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") {
			continue
		}
		matched := true
		for _, l := range labels {
			matched = matched && strings.Contains(line, l)
		}
		if !matched {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		total, found = total+v, true
	}
	if !found {
		return -1
	}
	return total
}

// TestMetricsScrape: after known calls, the Prometheus page counts them per side, method and code,
// times them, and shows none in flight.
func TestMetricsScrape(t *testing.T) {
	mp, handler, err := ternotel.NewPrometheus("echo-test")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ternotel.NewMetrics(ternotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	cli := startEcho(t, []client.Option{client.WithTracer(m)}, []server.Option{server.WithTracer(m)})
	ctx := testContext(t)
	for range 3 {
		if _, err := cli.Echo(ctx, &echo.Request{Message: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := cli.Echo(ctx, &echo.Request{Panic: true}); err == nil {
			t.Fatal("a panicking handler succeeded")
		}
	}
	method := `rpc_method="Echo"`
	cases := []struct {
		name   string
		metric string
		labels []string
		want   float64
	}{
		{"client calls ok", "rpc_client_calls_total", []string{method, `rpc_response_status_code="OK"`}, 3},
		{"client calls failed", "rpc_client_calls_total", []string{method, `rpc_response_status_code="INTERNAL"`}, 2},
		{"server calls ok", "rpc_server_calls_total", []string{method, `rpc_response_status_code="OK"`, `rpc_system="kitex"`, `rpc_service="echo.Echo"`}, 3},
		{"server calls failed", "rpc_server_calls_total", []string{method, `rpc_response_status_code="INTERNAL"`}, 2},
		{"client latency count", "rpc_client_call_duration_seconds_count", []string{method}, 5},
		{"server latency count", "rpc_server_call_duration_seconds_count", []string{method, `rpc_response_status_code="OK"`}, 3},
		{"server latency under 10s", "rpc_server_call_duration_seconds_bucket", []string{method, `le="10"`}, 5},
		{"client in flight", "rpc_client_active_calls", []string{method}, 0},
		{"server in flight", "rpc_server_active_calls", []string{method}, 0},
	}
	page := waitFor(t, handler, "rpc_server_calls_total", []string{method}, 5)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := sample(t, page, c.metric, c.labels...); got != c.want {
				t.Fatalf("%s%v = %v, want %v", c.metric, c.labels, got, c.want)
			}
		})
	}
}

// waitFor scrapes until metric reaches want (servers finish their records after replying).
func waitFor(t *testing.T, h http.Handler, metric string, labels []string, want float64) string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		page := scrape(t, h)
		if got := sample(t, page, metric, labels...); got == want || time.Now().After(deadline) {
			return page
		}
	}
}

// TestMetricsInFlight: a call in progress shows as in flight on both sides until it ends.
func TestMetricsInFlight(t *testing.T) {
	mp, handler, err := ternotel.NewPrometheus("echo-test")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ternotel.NewMetrics(ternotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	cli := startEcho(t, []client.Option{client.WithTracer(m)}, []server.Option{server.WithTracer(m)})
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := cli.Echo(testContext(t), &echo.Request{DelayMs: 300}); err != nil {
			t.Error(err)
		}
	})
	page := waitFor(t, handler, "rpc_server_active_calls", []string{`rpc_method="Echo"`}, 1)
	for _, name := range []string{"rpc_client_active_calls", "rpc_server_active_calls"} {
		if got := sample(t, page, name, `rpc_method="Echo"`); got != 1 {
			t.Errorf("%s = %v during the call, want 1", name, got)
		}
	}
	wg.Wait()
	page = waitFor(t, handler, "rpc_server_active_calls", []string{`rpc_method="Echo"`}, 0)
	if got := sample(t, page, "rpc_server_active_calls", `rpc_method="Echo"`); got != 0 {
		t.Errorf("rpc_server_active_calls = %v after the call, want 0", got)
	}
}

package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/ternhq/tern/app/gateway/internal/middleware"
	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/app/gateway/internal/shop/shoptest"
)

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.do("GET", "/healthz", "", ""); r.status != http.StatusOK {
		t.Fatalf("healthz: %d %s", r.status, r.body)
	}
	var ready struct {
		Status   string            `json:"status"`
		Services map[string]string `json:"services"`
	}
	e.do("GET", "/readyz", "", "").decode(t, &ready)
	if ready.Status != "ready" || len(ready.Services) != 3 || ready.Services["cart"] != "ok" {
		t.Fatalf("readyz: %+v", ready)
	}

	e.fake.Fail(shoptest.Cart, shop.Errorf(shop.CodeUnavailable, "connection refused"))
	r := e.do("GET", "/readyz", "", "")
	if r.status != http.StatusServiceUnavailable || r.errorCode(t) != "not_ready" {
		t.Fatalf("readyz with cart down: %d %s", r.status, r.body)
	}
	r.decode(t, &ready)
	if ready.Services["cart"] != "unreachable" || ready.Services["item"] != "ok" {
		t.Errorf("services %+v", ready.Services)
	}
	if r := e.do("GET", "/healthz", "", ""); r.status != http.StatusOK {
		t.Errorf("healthz depends on downstreams: %d", r.status)
	}
}

func TestPanicIsRecovered(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.PanicOnList()
	r := e.do("GET", "/api/v1/items", "", "")
	if r.status != http.StatusInternalServerError || r.errorCode(t) != "internal" {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if r.header(middleware.HeaderRequestID) == "" {
		t.Error("no request id on a recovered request")
	}
	if r := e.do("GET", "/api/v1/items/1", "", ""); r.status != http.StatusOK {
		t.Errorf("after the panic: %d %s", r.status, r.body)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nothing", http.StatusNotFound, "not_found"},
		{"GET", "/api/v2/items", http.StatusNotFound, "not_found"},
		{"DELETE", "/api/v1/items/1", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"POST", "/healthz", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"GET", "/static/nothing.js", http.StatusNotFound, "not_found"},
		{"GET", "/static/../web.go", http.StatusNotFound, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := e.do(tt.method, tt.path, "", "")
			if r.status != tt.status || r.errorCode(t) != tt.code {
				t.Errorf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	limiter, err := middleware.NewLimiter(0.1, 3, nil) // 3 at once, then one every 10s
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, limiter)
	for i := range 3 {
		if r := e.do("GET", "/api/v1/items/1", "", ""); r.status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, r.status, r.body)
		}
	}
	r := e.do("POST", "/api/v1/login", `{"username":"alice","password":"wonderland"}`, "")
	if r.status != http.StatusTooManyRequests || r.errorCode(t) != "rate_limited" {
		t.Fatalf("4th request: %d %s", r.status, r.body)
	}
	if ra := r.header("Retry-After"); ra != "10" {
		t.Errorf("Retry-After %q, want 10", ra)
	}
	if r := e.do("GET", "/healthz", "", ""); r.status != http.StatusOK {
		t.Errorf("healthz is rate-limited: %d", r.status)
	}
}

func TestRequestIDEchoed(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/api/v1/items/1", "", "", ut.Header{Key: "X-Request-ID", Value: "abc-123"})
	if got := r.header("X-Request-ID"); got != "abc-123" {
		t.Errorf("X-Request-ID %q, want abc-123", got)
	}
	r1, r2 := e.do("GET", "/api/v1/items/1", "", ""), e.do("GET", "/api/v1/items/1", "", "")
	if id1, id2 := r1.header("X-Request-ID"), r2.header("X-Request-ID"); id1 == "" || id1 == id2 {
		t.Errorf("generated ids %q and %q", id1, id2)
	}
}

func TestWebPage(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		path, ctype, contains string
	}{
		{"/", "text/html", "<title>Tern shop</title>"},
		{"/static/app.js", "javascript", "/api/v1"},
		{"/static/style.css", "text/css", "body"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := e.do("GET", tt.path, "", "")
			if r.status != http.StatusOK || !strings.Contains(r.header("Content-Type"), tt.ctype) {
				t.Fatalf("status %d, content type %q", r.status, r.header("Content-Type"))
			}
			if !strings.Contains(string(r.body), tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
			if r.header("Content-Security-Policy") != "default-src 'self'" {
				t.Errorf("Content-Security-Policy %q", r.header("Content-Security-Policy"))
			}
		})
	}
}

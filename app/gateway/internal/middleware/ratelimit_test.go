package middleware_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
	"github.com/ternhq/tern/app/gateway/internal/middleware"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newLimiter(t *testing.T, rate float64, burst int) (*middleware.Limiter, *clock) {
	t.Helper()
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l, err := middleware.NewLimiter(rate, burst, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return l, c
}

func TestLimiterBucket(t *testing.T) {
	l, c := newLimiter(t, 2, 3) // 2 per second, bursts of 3
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("4th request: ok=%v wait=%v, want refused with 500ms", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another client is limited by a's bucket")
	}
	c.advance(499 * time.Millisecond)
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("allowed before a token refilled")
	}
	c.advance(2 * time.Millisecond)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("refused after a token refilled")
	}
	c.advance(time.Hour)
	allowed := 0
	for range 10 {
		if ok, _ := l.Allow("a"); ok {
			allowed++
		}
	}
	if allowed != 3 {
		t.Fatalf("after a long idle time %d requests passed, want the burst of 3", allowed)
	}
}

func TestLimiterForgetsIdleClients(t *testing.T) {
	l, c := newLimiter(t, 10, 10)
	for i := range 100 {
		l.Allow(strconv.Itoa(i))
	}
	if n := l.Clients(); n != 100 {
		t.Fatalf("tracking %d clients, want 100", n)
	}
	c.advance(2 * time.Minute)
	l.Allow("new")
	if n := l.Clients(); n != 1 {
		t.Fatalf("tracking %d clients after the sweep, want 1", n)
	}
}

// TestLimiterBounded: beyond MaxClients active clients, new ones share one bucket and memory stays
// bounded.
func TestLimiterBounded(t *testing.T) {
	l, _ := newLimiter(t, 1, 2)
	for i := range middleware.MaxClients {
		l.Allow(strconv.Itoa(i))
	}
	allowed := 0
	for i := range 10 {
		if ok, _ := l.Allow("new-" + strconv.Itoa(i)); ok {
			allowed++
		}
	}
	if allowed != 2 {
		t.Errorf("%d of 10 new clients passed, want the shared burst of 2", allowed)
	}
	if n := l.Clients(); n > middleware.MaxClients+1 {
		t.Errorf("tracking %d clients, want at most %d", n, middleware.MaxClients+1)
	}
	if ok, _ := l.Allow("0"); !ok {
		t.Error("a known client lost its own bucket")
	}
}

func TestNewLimiterRefuses(t *testing.T) {
	tests := []struct {
		name  string
		rate  float64
		burst int
	}{
		{"zero rate", 0, 1},
		{"negative rate", -1, 1},
		{"zero burst", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := middleware.NewLimiter(tt.rate, tt.burst, nil); err == nil {
				t.Error("NewLimiter accepted it")
			}
		})
	}
}

func TestRateLimitMiddleware(t *testing.T) {
	l, c := newLimiter(t, 0.5, 2) // a token every 2s
	h := server.New()
	h.Use(middleware.RateLimit(l))
	h.GET("/x", func(_ context.Context, c *app.RequestContext) { c.String(http.StatusOK, "ok") })
	for i := range 2 {
		if w := ut.PerformRequest(h.Engine, "GET", "/x", nil); w.Code != http.StatusOK {
			t.Fatalf("request %d: status %d", i+1, w.Code)
		}
	}
	w := ut.PerformRequest(h.Engine, "GET", "/x", nil)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("3rd request: status %d, want 429", w.Code)
	}
	if got := w.Header().Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2", got)
	}
	var body apierr.Body
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != apierr.CodeRateLimited {
		t.Errorf("body %s (%v)", w.Body.Bytes(), err)
	}
	c.advance(2 * time.Second)
	if w := ut.PerformRequest(h.Engine, "GET", "/x", nil); w.Code != http.StatusOK {
		t.Fatalf("after Retry-After: status %d", w.Code)
	}
}

package middleware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
	"github.com/ternhq/tern/app/gateway/internal/auth"
	"github.com/ternhq/tern/app/gateway/internal/middleware"
	"github.com/ternhq/tern/framework/metainfo"
)

func TestRequestID(t *testing.T) {
	h := server.New()
	h.Use(middleware.RequestID())
	var seen, seenMeta, seenCtx string
	h.GET("/x", func(ctx context.Context, c *app.RequestContext) {
		seen = middleware.RequestIDOf(c)
		seenCtx = middleware.RequestIDFromContext(ctx)
		seenMeta, _ = metainfo.GetPersistentValue(ctx, middleware.MetaRequestID)
	})
	tests := []struct {
		name, sent string
		keep       bool
	}{
		{"absent", "", false},
		{"kept", "req-42.a_b:c", true},
		{"too long", strings.Repeat("a", 129), false},
		{"spaces", "a b", false},
		{"header injection", "a\r\nX-Evil: 1", false},
		{"non-ASCII", "zażółć", false},
	}
	generated := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdrs []ut.Header
			if tt.sent != "" {
				hdrs = append(hdrs, ut.Header{Key: middleware.HeaderRequestID, Value: tt.sent})
			}
			w := ut.PerformRequest(h.Engine, "GET", "/x", nil, hdrs...)
			got := w.Header().Get(middleware.HeaderRequestID)
			if seen != got || seenMeta != got || seenCtx != got {
				t.Errorf("response id %q, request sees %q, metainfo %q, context %q", got, seen, seenMeta, seenCtx)
			}
			if tt.keep {
				if got != tt.sent {
					t.Errorf("id %q, want the client's %q", got, tt.sent)
				}
				return
			}
			if len(got) != 32 || generated[got] {
				t.Errorf("generated id %q: want 32 hex characters, new each time", got)
			}
			generated[got] = true
		})
	}
}

func TestRecovery(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := server.New()
	h.Use(middleware.RequestID(), middleware.AccessLog(log), middleware.Recovery(log))
	h.GET("/panic", func(context.Context, *app.RequestContext) { panic("boom") })
	h.GET("/ok", func(_ context.Context, c *app.RequestContext) { c.String(http.StatusOK, "ok") })

	w := ut.PerformRequest(h.Engine, "GET", "/panic", nil, ut.Header{Key: middleware.HeaderRequestID, Value: "r1"})
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", w.Code)
	}
	var body apierr.Body
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != apierr.CodeInternal {
		t.Fatalf("body %s (%v)", w.Body.Bytes(), err)
	}
	if !strings.Contains(logs.String(), `"panic":"boom"`) || !strings.Contains(logs.String(), `"request_id":"r1"`) {
		t.Errorf("the panic is not logged with its request id: %s", logs.String())
	}
	if w := ut.PerformRequest(h.Engine, "GET", "/ok", nil); w.Code != http.StatusOK {
		t.Fatalf("after a panic: status %d", w.Code)
	}
}

func TestAccessLog(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := server.New()
	h.Use(middleware.RequestID(), middleware.AccessLog(log))
	h.GET("/teapot", func(_ context.Context, c *app.RequestContext) { c.String(http.StatusTeapot, "short and stout") })
	ut.PerformRequest(h.Engine, "GET", "/teapot?x=1", nil, ut.Header{Key: middleware.HeaderRequestID, Value: "r2"})
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	want := map[string]any{"msg": "http request", "method": "GET", "path": "/teapot", "status": 418.0, "bytes": 15.0, "request_id": "r2"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, line[k], v, logs.String())
		}
	}
}

func TestRequireAuth(t *testing.T) {
	signer, err := auth.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expiredSigner, err := auth.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour,
		auth.WithClock(func() time.Time { return time.Now().Add(-2 * time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	forger, err := auth.NewSigner([]byte("not the server's secret, 32 bytes"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	user := auth.User{ID: 7, Username: "gina"}
	good, _ := signer.Issue(user)
	expired, _ := expiredSigner.Issue(user)
	forged, _ := forger.Issue(user)

	h := server.New()
	h.GET("/me", middleware.RequireAuth(signer), func(_ context.Context, c *app.RequestContext) {
		claims, _ := middleware.UserOf(c)
		c.String(http.StatusOK, claims.Username)
	})
	tests := []struct {
		name, header string
		want         int
	}{
		{"valid", "Bearer " + good, http.StatusOK},
		{"scheme case", "bearer " + good, http.StatusOK},
		{"missing", "", http.StatusUnauthorized},
		{"basic", "Basic YWxpY2U6d29uZGVybGFuZA==", http.StatusUnauthorized},
		{"no token", "Bearer ", http.StatusUnauthorized},
		{"token only", good, http.StatusUnauthorized},
		{"forged", "Bearer " + forged, http.StatusUnauthorized},
		{"expired", "Bearer " + expired, http.StatusUnauthorized},
		{"garbage", "Bearer abc.def", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdrs []ut.Header
			if tt.header != "" {
				hdrs = append(hdrs, ut.Header{Key: "Authorization", Value: tt.header})
			}
			w := ut.PerformRequest(h.Engine, "GET", "/me", nil, hdrs...)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.want, w.Body.Bytes())
			}
			if tt.want == http.StatusOK && w.Body.String() != "gina" {
				t.Errorf("body %q, want the token's user", w.Body.String())
			}
			if tt.want == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

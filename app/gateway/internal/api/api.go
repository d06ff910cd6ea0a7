// Package api is the gateway's HTTP surface on Hertz: the JSON API under /api/v1 (login, items, cart,
// checkout), /healthz and /readyz, the OpenAPI document and the web page. Handlers are thin: they decode
// and check the request's shape, call package shop for the logic and write the JSON answer; errors have
// the body of package apierr.
//
// Middleware, in order: request id, tracing (when a TracerProvider is given), access log and panic
// recovery on every route; the per-client rate limit on /api/v1; bearer-token authentication on
// /api/v1/cart.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/config"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
	"github.com/ternhq/tern/app/gateway/internal/auth"
	"github.com/ternhq/tern/app/gateway/internal/middleware"
	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/app/gateway/internal/web"
	"go.opentelemetry.io/otel/trace"
)

// Prefix is the path every API route starts with.
const Prefix = "/api/v1"

// maxBodySize bounds a request body the server reads at all; API bodies are far smaller (maxJSONBody).
const maxBodySize = 1 << 20

// Deps is what the API's handlers use.
type Deps struct {
	Shop   *shop.Service
	Users  *auth.Directory
	Signer *auth.Signer
	// Limiter rate-limits /api/v1 per client; nil turns the limit off.
	Limiter *middleware.Limiter
	// TrustedProxies are the networks whose X-Forwarded-For / X-Real-IP headers name the client (for
	// the rate limit and logs); empty means the connection's address is the client.
	TrustedProxies []*net.IPNet
	Log            *slog.Logger
	// ReadyTimeout bounds /readyz's probes of the downstream services (default 2s).
	ReadyTimeout time.Duration
	// TracerProvider makes a server span of every request, parent of its downstream calls' spans; nil
	// means no HTTP spans.
	TracerProvider trace.TracerProvider
}

// handlers are the route handlers, sharing Deps.
type handlers struct{ Deps }

// NewServer returns a Hertz server with every route registered; opts (the address, timeouts) follow
// the gateway's defaults. Run it with Run or Spin, or drive its Engine in tests.
func NewServer(d Deps, opts ...config.Option) *server.Hertz {
	if d.ReadyTimeout <= 0 {
		d.ReadyTimeout = 2 * time.Second
	}
	defaults := []config.Option{
		server.WithHandleMethodNotAllowed(true),
		server.WithMaxRequestBodySize(maxBodySize),
		server.WithDisablePrintRoute(true),
		server.WithRedirectTrailingSlash(false),
	}
	h := server.New(append(defaults, opts...)...)
	h.SetClientIPFunc(app.ClientIPWithOption(app.ClientIPOptions{
		RemoteIPHeaders: []string{"X-Forwarded-For", "X-Real-IP"},
		TrustedCIDRs:    d.TrustedProxies,
	}))
	register(h, &handlers{Deps: d})
	return h
}

// register installs the middleware and the routes.
func register(h *server.Hertz, hs *handlers) {
	h.Use(middleware.RequestID())
	if hs.TracerProvider != nil {
		h.Use(middleware.Trace(hs.TracerProvider))
	}
	h.Use(middleware.AccessLog(hs.Log), middleware.Recovery(hs.Log))
	h.NoRoute(func(ctx context.Context, c *app.RequestContext) {
		apierr.Write(ctx, c, http.StatusNotFound, apierr.CodeNotFound, "no such route")
	})
	h.NoMethod(func(ctx context.Context, c *app.RequestContext) {
		apierr.Write(ctx, c, http.StatusMethodNotAllowed, apierr.CodeMethodNotAllowed, "method not allowed on this route")
	})
	h.GET("/healthz", hs.healthz)
	h.GET("/readyz", hs.readyz)
	h.GET("/", web.Index)
	h.GET("/static/*filepath", web.Static)
	registerAPI(h, hs)
}

// registerAPI installs the routes under Prefix.
func registerAPI(h *server.Hertz, hs *handlers) {
	v1 := h.Group(Prefix)
	if hs.Limiter != nil {
		v1.Use(middleware.RateLimit(hs.Limiter))
	}
	v1.GET("/openapi.json", serveOpenAPI)
	v1.POST("/login", hs.login)
	v1.GET("/items", hs.listItems)
	v1.GET("/items/:id", hs.getItem)

	cart := v1.Group("/cart", middleware.RequireAuth(hs.Signer))
	cart.GET("", hs.getCart)
	cart.POST("/items", hs.addItem)
	cart.PUT("/items/:item_id", hs.setQuantity)
	cart.DELETE("/items/:item_id", hs.removeItem)
	cart.POST("/checkout", hs.checkout)
}

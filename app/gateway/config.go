package main

import (
	"context"
	"fmt"
	"net"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/config"
	"github.com/ternhq/tern/app/gateway/internal/api"
	"github.com/ternhq/tern/app/gateway/internal/auth"
	"github.com/ternhq/tern/app/gateway/internal/downstream"
	"github.com/ternhq/tern/app/gateway/internal/middleware"
	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/cart/cartservice"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
	"go.opentelemetry.io/otel/trace"
)

// Config is the gateway's configuration: the platform's keys (server.addr is the HTTP address; clients
// item, stock and cart), authentication, the rate limit and HTTP timeouts.
type Config struct {
	platform.Config `yaml:",inline"`
	Auth            AuthConfig      `yaml:"auth"`
	RateLimit       RateLimitConfig `yaml:"rate_limit"`
	HTTP            HTTPConfig      `yaml:"http"`
}

// AuthConfig configures logins and tokens.
type AuthConfig struct {
	// Secret signs the tokens (HMAC-SHA256), at least 32 bytes; set it with TERN_AUTH_SECRET outside
	// local runs.
	Secret string `yaml:"secret"`
	// TokenTTL is how long a token is valid (default 24h).
	TokenTTL time.Duration `yaml:"token_ttl"`
	// Users are the accounts, with bcrypt password hashes (the demo users in the shipped files).
	Users []auth.UserRecord `yaml:"users"`
}

// RateLimitConfig configures the per-client token bucket on /api/v1.
type RateLimitConfig struct {
	// Rate is the requests per second a client may make on average; 0 turns the limit off.
	Rate float64 `yaml:"rate"`
	// Burst is how many requests a client may make at once (default: twice the rate, at least 1).
	Burst int `yaml:"burst"`
}

// HTTPConfig configures the HTTP server.
type HTTPConfig struct {
	ReadTimeout  time.Duration `yaml:"read_timeout"`
	WriteTimeout time.Duration `yaml:"write_timeout"`
	IdleTimeout  time.Duration `yaml:"idle_timeout"`
	// TrustedProxies are comma-separated CIDRs of proxies whose X-Forwarded-For names the client.
	TrustedProxies string `yaml:"trusted_proxies"`
}

// newBackend opens the clients of item (gRPC), stock (Kitex Protobuf on TTHeader) and cart (Thrift on
// TTHeader), and returns the backend on them and a function closing them.
func newBackend(p *platform.Platform) (*downstream.Backend, func(), error) {
	items, err := newClient(p, "item", transport.GRPC, itemservice.NewClient)
	if err != nil {
		return nil, nil, err
	}
	stocks, err := newClient(p, "stock", transport.TTHeader, stockservice.NewClient)
	if err != nil {
		items.Close()
		return nil, nil, err
	}
	carts, err := newClient(p, "cart", transport.TTHeader, cartservice.NewClient)
	if err != nil {
		items.Close()
		stocks.Close()
		return nil, nil, err
	}
	closeAll := func() { items.Close(); stocks.Close(); carts.Close() }
	return downstream.New(items, stocks, carts), closeAll, nil
}

// newClient builds the client of the service configured as clients.<target>.
func newClient[C any](p *platform.Platform, target string, proto transport.Protocol,
	newC func(string, ...client.Option) (C, error)) (C, error) {
	dest, opts, err := p.ClientOptions(target, client.WithTransportProtocol(proto))
	if err != nil {
		var zero C
		return zero, err
	}
	return newC(dest, opts...)
}

// tracerProvider is a platform that shares its OpenTelemetry tracer provider, so that the gateway's HTTP
// spans and its RPC client spans are one trace.
type tracerProvider interface {
	TracerProvider() trace.TracerProvider
}

// newDeps builds the API's dependencies from the configuration.
func newDeps(cfg *Config, p *platform.Platform, b shop.Backend) (api.Deps, error) {
	ttl := cfg.Auth.TokenTTL
	if ttl == 0 {
		ttl = 24 * time.Hour
	}
	signer, err := auth.NewSigner([]byte(cfg.Auth.Secret), ttl)
	if err != nil {
		return api.Deps{}, fmt.Errorf("auth.secret / auth.token_ttl (%s): %w", platform.EnvVar("auth.secret"), err)
	}
	users, err := auth.NewDirectory(cfg.Auth.Users)
	if err != nil {
		return api.Deps{}, fmt.Errorf("auth.users: %w", err)
	}
	proxies, err := parseCIDRs(cfg.HTTP.TrustedProxies)
	if err != nil {
		return api.Deps{}, fmt.Errorf("http.trusted_proxies: %w", err)
	}
	d := api.Deps{Shop: shop.NewService(b), Users: users, Signer: signer, TrustedProxies: proxies, Log: p.Logger()}
	if tp, ok := any(p).(tracerProvider); ok {
		d.TracerProvider = tp.TracerProvider()
	}
	if d.Limiter, err = newLimiter(cfg.RateLimit); err != nil {
		return api.Deps{}, err
	}
	return d, nil
}

// newLimiter returns the rate limiter c configures, nil when the rate is 0.
func newLimiter(c RateLimitConfig) (*middleware.Limiter, error) {
	if c.Rate == 0 {
		return nil, nil
	}
	burst := c.Burst
	if burst == 0 {
		burst = max(1, int(2*c.Rate))
	}
	l, err := middleware.NewLimiter(c.Rate, burst, nil)
	if err != nil {
		return nil, fmt.Errorf("rate_limit: %w", err)
	}
	return l, nil
}

// parseCIDRs parses a comma-separated list of CIDRs.
func parseCIDRs(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// serverOptions are the Hertz options from the configuration, serving ln. (Listening beforehand turns a
// busy port into an error: Hertz's netpoll transport panics when it cannot listen.)
func serverOptions(cfg *Config, ln net.Listener) []config.Option {
	opts := []config.Option{server.WithListener(ln), server.WithExitWaitTime(cfg.Server.ExitWait)}
	if cfg.HTTP.ReadTimeout > 0 {
		opts = append(opts, server.WithReadTimeout(cfg.HTTP.ReadTimeout))
	}
	if cfg.HTTP.WriteTimeout > 0 {
		opts = append(opts, server.WithWriteTimeout(cfg.HTTP.WriteTimeout))
	}
	if cfg.HTTP.IdleTimeout > 0 {
		opts = append(opts, server.WithIdleTimeout(cfg.HTTP.IdleTimeout))
	}
	return opts
}

// serve runs h until it fails or SIGINT/SIGTERM arrives, then shuts it down gracefully within exitWait.
func serve(ctx context.Context, h *server.Hertz, exitWait time.Duration) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- h.Run() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), exitWait+time.Second)
	defer cancel()
	return h.Shutdown(sctx)
}

package server

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/limit"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/stats"
	"github.com/ternhq/tern/framework/transport/grpc"
)

// Option configures a Server; pass options to NewServer.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config holds a server's settings.
type config struct {
	addr          net.Addr
	listener      net.Listener
	middlewares   []endpoint.Middleware
	readWrite     time.Duration
	maxIdle       time.Duration
	exitWait      time.Duration
	maxFrameSize  int
	logger        *slog.Logger
	handleSignals bool
	limits        limit.Config
	registry      registry.Registry
	registryInfo  registry.Info
	acl           []ACLRule
	stats         stats.Settings // tracers (stats.go)
	grpc          grpc.Config
}

func defaultConfig() config {
	return config{
		addr:          &net.TCPAddr{Port: 8888},
		readWrite:     5 * time.Second,
		exitWait:      5 * time.Second,
		maxFrameSize:  frame.DefaultMaxSize,
		logger:        slog.Default(),
		handleSignals: true,
		grpc:          defaultGRPCConfig(),
	}
}

// WithServiceAddr sets the address to listen on (default :8888). Port 0 picks a free port; read it back
// with Server.Addr after Start.
func WithServiceAddr(addr net.Addr) Option {
	return optionFunc(func(c *config) { c.addr = addr })
}

// WithListener serves on an existing listener instead of listening on the service address.
func WithListener(ln net.Listener) Option {
	return optionFunc(func(c *config) { c.listener = ln })
}

// WithMiddleware adds middleware around every handler call; the first added is the outermost.
func WithMiddleware(mw endpoint.Middleware) Option {
	return optionFunc(func(c *config) { c.middlewares = append(c.middlewares, mw) })
}

// WithReadWriteTimeout bounds how long reading the rest of a started request, and writing a reply, may
// take (default 5s); a peer slower than that has its connection closed.
func WithReadWriteTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.readWrite = d })
}

// WithMaxConnIdleTime closes connections on which nothing has arrived for d (default: never).
func WithMaxConnIdleTime(d time.Duration) Option {
	return optionFunc(func(c *config) { c.maxIdle = d })
}

// WithExitWaitTime bounds how long Stop waits for calls in flight to finish (default 5s).
func WithExitWaitTime(d time.Duration) Option {
	return optionFunc(func(c *config) { c.exitWait = d })
}

// WithMaxFrameSize sets the largest request accepted, in bytes (default 16 MiB). A larger length prefix
// is rejected before anything is allocated, and its connection is closed.
func WithMaxFrameSize(n int) Option {
	return optionFunc(func(c *config) { c.maxFrameSize = n })
}

// WithLimit caps connections, calls per second and calls in flight (see limit.Config; zero fields mean
// no limit). A call over a limit is answered at once with an rpcerr.CodeResourceExhausted error saying
// which limit; a connection over the limit gets that answer to its first request and is then closed.
// Rejections are counted (Server.LimitStats).
func WithLimit(cfg limit.Config) Option {
	return optionFunc(func(c *config) { c.limits = cfg })
}

// WithRegistry registers the server in r once it listens, and deregisters it first thing when it stops
// (before draining calls in flight), so clients stop picking it while it finishes.
func WithRegistry(r registry.Registry) Option {
	return optionFunc(func(c *config) { c.registry = r })
}

// WithRegistryInfo sets what is registered. Unset fields are filled in: the service name of the first
// service registered on the server, the listening address (an unspecified host replaced by this
// machine's first non-loopback address), weight registry's default.
func WithRegistryInfo(info registry.Info) Option {
	return optionFunc(func(c *config) { c.registryInfo = info })
}

// ACLRule checks a call before its handler runs; an error rejects the call with
// rpcerr.CodePermissionDenied.
type ACLRule func(ctx context.Context, req any) error

// WithACLRules checks every call against rules before its handler runs.
func WithACLRules(rules ...ACLRule) Option {
	return optionFunc(func(c *config) { c.acl = append(c.acl, rules...) })
}

// WithLogger sets the logger the server reports through (default slog.Default()). Nothing is logged per
// call; connection errors and shutdown are logged.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithSignalHandling sets whether Run stops the server gracefully on SIGINT and SIGTERM (default true).
func WithSignalHandling(on bool) Option {
	return optionFunc(func(c *config) { c.handleSignals = on })
}

// RegisterOption configures one registered service.
type RegisterOption interface{ applyRegister(*registerConfig) }

type registerConfig struct {
	fallback bool
}

type registerOptionFunc func(*registerConfig)

func (f registerOptionFunc) applyRegister(c *registerConfig) { f(c) }

// WithFallbackService makes this service the one that answers requests that name no service (Framed or
// Buffered, or TTHeader without "isn") for methods several registered services define.
func WithFallbackService() RegisterOption {
	return registerOptionFunc(func(c *registerConfig) { c.fallback = true })
}

// defaultGRPCConfig is grpc.DefaultConfig with keepalive pings every 2 hours of silence, as grpc-go
// servers do, so that connections of vanished clients are closed.
func defaultGRPCConfig() grpc.Config {
	cfg := grpc.DefaultConfig()
	cfg.KeepaliveTime = 2 * time.Hour
	return cfg
}

// WithGRPCConfig sets the HTTP/2 settings of the gRPC calls the server answers on its port: message
// sizes, flow-control windows, concurrent streams, keepalive (default grpc.DefaultConfig() with
// KeepaliveTime 2h).
func WithGRPCConfig(cfg grpc.Config) Option {
	return optionFunc(func(c *config) { c.grpc = cfg })
}

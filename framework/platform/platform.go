package platform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/server"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"
)

// Option configures New.
type Option interface{ apply(*options) }

type options struct {
	telemetry TelemetryFunc
	logOutput io.Writer
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithTelemetry replaces the platform's own telemetry (NewOTel): New calls f, and the servers, clients,
// database and Redis the platform opens are instrumented by the result.
func WithTelemetry(f TelemetryFunc) Option {
	return optionFunc(func(o *options) { o.telemetry = f })
}

// WithLogOutput sets where logs go (default os.Stderr).
func WithLogOutput(w io.Writer) Option {
	return optionFunc(func(o *options) { o.logOutput = w })
}

// Platform holds what a service shares between its parts: configuration, logger, registry, telemetry,
// and the database and Redis once opened. Close releases all of it.
type Platform struct {
	cfg       *Config
	log       *slog.Logger
	disc      discoveryParts
	telemetry Telemetry

	mu      sync.Mutex
	closers []func() error
}

// New builds the platform of cfg (loaded by Load): it creates the logger (also made slog's default; its
// records carry the trace and span ids of their context), connects to the registry and starts
// telemetry (NewOTel unless WithTelemetry). Databases and Redis are opened on demand (DB, Redis).
func New(ctx context.Context, cfg Base, opts ...Option) (*Platform, error) {
	o := options{logOutput: os.Stderr}
	for _, opt := range opts {
		opt.apply(&o)
	}
	c := cfg.Platform()
	log, err := NewLogger(o.logOutput, c)
	if err != nil {
		return nil, err
	}
	slog.SetDefault(log)
	p := &Platform{cfg: c, log: log}
	if p.disc, err = openDiscovery(c.Registry); err != nil {
		return nil, err
	}
	if p.disc.close != nil {
		p.closers = append(p.closers, p.disc.close)
	}
	if err := p.startTelemetry(ctx, o.telemetry, o.logOutput); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// startTelemetry builds the telemetry: f, or NewOTel writing console spans where the logs go.
func (p *Platform) startTelemetry(ctx context.Context, f TelemetryFunc, out io.Writer) error {
	if f == nil {
		f = func(ctx context.Context, cfg *Config) (Telemetry, error) { return NewOTel(ctx, cfg, out) }
	}
	t, err := f(ctx, p.cfg)
	if err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	p.telemetry = t
	p.closers = append(p.closers, func() error { return t.Shutdown(context.WithoutCancel(ctx)) })
	return nil
}

// Config returns the platform's configuration.
func (p *Platform) Config() *Config { return p.cfg }

// TracerProvider returns the OpenTelemetry tracer provider of the platform's telemetry, so that code the
// framework does not instrument (an HTTP server, a batch job) makes its spans in the same traces as the
// calls it leads to; a no-op provider when the telemetry has none.
func (p *Platform) TracerProvider() trace.TracerProvider {
	if t, ok := p.telemetry.(interface{ TracerProvider() trace.TracerProvider }); ok {
		return t.TracerProvider()
	}
	return noop.NewTracerProvider()
}

// MetricsAddr returns the address the telemetry serves metrics at (/metrics), "" when it serves none.
func (p *Platform) MetricsAddr() string {
	if m, ok := p.telemetry.(interface{ MetricsAddr() string }); ok {
		return m.MetricsAddr()
	}
	return ""
}

// Logger returns the service's logger.
func (p *Platform) Logger() *slog.Logger { return p.log }

// DB opens the configured database (see OpenDB), instrumented by the telemetry; Close closes it.
func (p *Platform) DB(ctx context.Context) (*gorm.DB, error) {
	if p.cfg.DB.Driver == "" {
		return nil, errors.New("db.driver: empty, and this service needs a database")
	}
	db, err := OpenDB(ctx, p.cfg.DB, p.log)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	p.addCloser(sqlDB.Close)
	if in, ok := p.telemetry.(DBInstrumenter); ok {
		if err := in.InstrumentDB(db); err != nil {
			return nil, fmt.Errorf("telemetry: %w", err)
		}
	}
	p.log.Info("database open", "driver", p.cfg.DB.Driver)
	return db, nil
}

// Redis connects to the configured Redis (see OpenRedis), instrumented by the telemetry; Close closes
// it.
func (p *Platform) Redis(ctx context.Context) (*redis.Client, error) {
	if p.cfg.Redis.Addr == "" {
		return nil, errors.New("redis.addr: empty, and this service needs Redis")
	}
	rdb, closer, err := OpenRedis(ctx, p.cfg.Redis)
	if err != nil {
		return nil, err
	}
	p.addCloser(closer)
	if in, ok := p.telemetry.(RedisInstrumenter); ok {
		if err := in.InstrumentRedis(rdb); err != nil {
			return nil, fmt.Errorf("telemetry: %w", err)
		}
	}
	p.log.Info("redis connected", "addr", rdb.Options().Addr)
	return rdb, nil
}

// ServerOptions returns the options of the service's server: its address, logger, graceful-stop wait,
// registration in the configured registry under the service's name, and telemetry; extra options follow
// them.
func (p *Platform) ServerOptions(extra ...server.Option) ([]server.Option, error) {
	addr, err := net.ResolveTCPAddr("tcp", p.cfg.Server.Addr)
	if err != nil {
		return nil, fmt.Errorf("server.addr %q: %w", p.cfg.Server.Addr, err)
	}
	opts := []server.Option{
		server.WithServiceAddr(addr),
		server.WithLogger(p.log),
		server.WithExitWaitTime(p.cfg.Server.ExitWait),
	}
	if p.disc.registry != nil {
		opts = append(opts, server.WithRegistry(p.disc.registry),
			server.WithRegistryInfo(registry.Info{ServiceName: p.cfg.Service, Address: p.cfg.Server.Advertise}))
	}
	if p.telemetry != nil {
		opts = append(opts, p.telemetry.ServerOptions()...)
	}
	return append(opts, extra...), nil
}

// ClientOptions returns the destination service name and the client options for the downstream
// service configured as clients.<target>: its addresses (direct) or the registry's resolver, timeouts,
// this service's name as the caller, the logger and telemetry; extra options follow them. Pass both to
// the generated NewClient.
func (p *Platform) ClientOptions(target string, extra ...client.Option) (string, []client.Option, error) {
	cc, ok := p.cfg.Clients[target]
	if !ok {
		return "", nil, fmt.Errorf("clients.%s: not configured", target)
	}
	dest := cc.Service
	if dest == "" {
		dest = target
	}
	opts := []client.Option{
		client.WithClientName(p.cfg.Service),
		client.WithRPCTimeout(orDuration(cc.Timeout, defaultCallTimeout)),
		client.WithConnectTimeout(orDuration(cc.ConnectTimeout, defaultConnectTimeout)),
		client.WithLogger(p.log),
	}
	if p.disc.resolver != nil {
		opts = append(opts, client.WithResolver(p.disc.resolver))
	} else {
		addrs := splitList(cc.Addrs)
		if len(addrs) == 0 {
			return "", nil, fmt.Errorf("clients.%s.addrs: empty, and the registry is %s", target, RegistryDirect)
		}
		opts = append(opts, client.WithHostPorts(addrs...))
	}
	if p.telemetry != nil {
		opts = append(opts, p.telemetry.ClientOptions()...)
	}
	return dest, append(opts, extra...), nil
}

func (p *Platform) addCloser(f func() error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closers = append(p.closers, f)
}

// Close releases everything the platform opened, the last opened first, and returns the errors joined.
func (p *Platform) Close() error {
	p.mu.Lock()
	closers := p.closers
	p.closers = nil
	p.mu.Unlock()
	var errs []error
	for i := len(closers) - 1; i >= 0; i-- {
		errs = append(errs, closers[i]())
	}
	return errors.Join(errs...)
}

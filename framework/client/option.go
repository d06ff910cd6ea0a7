package client

import (
	"log/slog"
	"time"

	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/transport"
)

// Option configures a client; pass options to NewClient.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type connKind uint8

const (
	connLong connKind = iota
	connShort
	connMux
)

type config struct {
	destService    string
	callerName     string
	hostPorts      []string
	rpcTimeout     time.Duration
	connectTimeout time.Duration
	middlewares    []endpoint.Middleware
	protocol       transport.Protocol
	connKind       connKind
	longPool       connpool.LongPoolConfig
	muxConns       int
	maxFrameSize   int
	dialer         connpool.Dialer
	logger         *slog.Logger
}

func defaultConfig() config {
	return config{
		connectTimeout: 50 * time.Millisecond,
		protocol:       transport.TTHeader,
		longPool:       connpool.DefaultLongPoolConfig(),
		muxConns:       1,
		maxFrameSize:   frame.DefaultMaxSize,
		logger:         slog.Default(),
	}
}

// WithHostPorts sets the addresses ("host:port") calls go to, in turn.
func WithHostPorts(hostports ...string) Option {
	return optionFunc(func(c *config) { c.hostPorts = append([]string(nil), hostports...) })
}

// WithDestService sets the callee's service name, sent to the server and shown in rpcinfo. Generated
// clients set it from their destService argument.
func WithDestService(name string) Option {
	return optionFunc(func(c *config) { c.destService = name })
}

// WithClientName sets this client's own service name, sent to the server as the caller.
func WithClientName(name string) Option {
	return optionFunc(func(c *config) { c.callerName = name })
}

// WithRPCTimeout bounds every call (default: none). The timeout travels to the server, whose handler
// gets it as its context deadline; a call that runs out fails with rpcerr.CodeDeadlineExceeded.
func WithRPCTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.rpcTimeout = d })
}

// WithConnectTimeout bounds dialling a new connection (default 50ms, as in Kitex).
func WithConnectTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.connectTimeout = d })
}

// WithMiddleware adds middleware around every call; the first added is the outermost.
func WithMiddleware(mw endpoint.Middleware) Option {
	return optionFunc(func(c *config) { c.middlewares = append(c.middlewares, mw) })
}

// WithTransportProtocol sets the framing: transport.TTHeader (default), transport.TTHeaderFramed,
// transport.Framed or transport.Buffered. Only TTHeader carries metainfo, the RPC timeout and the
// service name to the server.
func WithTransportProtocol(p transport.Protocol) Option {
	return optionFunc(func(c *config) { c.protocol = p })
}

// WithLongConnection keeps connections open between calls, pooled per address (the default, with
// connpool.DefaultLongPoolConfig).
func WithLongConnection(cfg connpool.LongPoolConfig) Option {
	return optionFunc(func(c *config) { c.connKind, c.longPool = connLong, cfg })
}

// WithShortConnection opens a connection for every call and closes it after.
func WithShortConnection() Option {
	return optionFunc(func(c *config) { c.connKind = connShort })
}

// WithMuxConnection multiplexes calls over n shared TTHeader connections per address: many calls in
// flight on one connection, replies matched by sequence id. It implies TTHeader when the protocol is
// not TTHeader already.
func WithMuxConnection(n int) Option {
	return optionFunc(func(c *config) { c.connKind, c.muxConns = connMux, max(n, 1) })
}

// WithMaxFrameSize sets the largest request or reply, in bytes (default 16 MiB).
func WithMaxFrameSize(n int) Option {
	return optionFunc(func(c *config) { c.maxFrameSize = n })
}

// WithDialer replaces the function that opens connections (default: netpoll).
func WithDialer(d connpool.Dialer) Option {
	return optionFunc(func(c *config) { c.dialer = d })
}

// WithLogger sets the logger the client reports through (default slog.Default()); nothing is logged per
// call.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

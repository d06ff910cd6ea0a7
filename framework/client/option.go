package client

import (
	"log/slog"
	"time"

	"github.com/ternhq/tern/framework/circuitbreak"
	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/loadbalance"
	"github.com/ternhq/tern/framework/retry"
	"github.com/ternhq/tern/framework/stats"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/grpc"
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

	resolver      discovery.Resolver
	cacheConfig   discovery.CacheConfig
	balancer      loadbalance.Loadbalancer
	breakerConfig func(key string) circuitbreak.Config // nil: no circuit breakers
	retry         *retry.Policy
	methodRetry   map[string]retry.Policy
	backupDelay   time.Duration
	backupExtra   int
	budget        *retry.Budget
	fallback      FallbackFunc
	fallbackOn    FallbackOn
	acl           []ACLRule
	stats         stats.Settings // tracers (stats.go)
	grpc          grpc.Config
}

func defaultConfig() config {
	return config{
		connectTimeout: 50 * time.Millisecond,
		protocol:       transport.TTHeader,
		longPool:       connpool.DefaultLongPoolConfig(),
		muxConns:       1,
		maxFrameSize:   frame.DefaultMaxSize,
		logger:         slog.Default(),
		cacheConfig:    discovery.DefaultCacheConfig(),
		budget:         retry.NewBudget(0.1, 10),
		grpc:           grpc.DefaultConfig(),
	}
}

// WithHostPorts sets the addresses ("host:port") calls go to, spread by the load balancer (a static
// resolver; WithResolver replaces it).
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

// WithResolver finds the callee's instances through r (a registry such as Nacos or etcd), looked up by
// the destination service name. Results are cached and refreshed in the background; when the registry
// is unreachable the last good list is kept.
func WithResolver(r discovery.Resolver) Option {
	return optionFunc(func(c *config) { c.resolver = r })
}

// WithResolverCache configures the resolver cache (refresh interval, expiry).
func WithResolverCache(cfg discovery.CacheConfig) Option {
	return optionFunc(func(c *config) { c.cacheConfig = cfg })
}

// WithLoadBalancer chooses how calls spread over instances (default: weighted round robin).
func WithLoadBalancer(lb loadbalance.Loadbalancer) Option {
	return optionFunc(func(c *config) { c.balancer = lb })
}

// WithCircuitBreaker enables circuit breakers per method (key "caller/callee/method") and per instance
// (key: the instance's address); settings gives each key its configuration (nil: circuitbreak.DefaultConfig).
// A call refused by an open breaker fails at once with rpcerr.CodeCircuitOpen and is never sent.
func WithCircuitBreaker(settings func(key string) circuitbreak.Config) Option {
	return optionFunc(func(c *config) {
		if settings == nil {
			settings = func(string) circuitbreak.Config { return circuitbreak.DefaultConfig() }
		}
		c.breakerConfig = settings
	})
}

// WithFailureRetry retries failed calls of every method under p (see WithMethodRetry for one method).
// A call whose request may have reached the server is retried only if p.Idempotent; oneway calls are
// never retried; retries draw on the retry budget (WithRetryBudget).
func WithFailureRetry(p retry.Policy) Option {
	return optionFunc(func(c *config) { c.retry = &p })
}

// WithMethodRetry sets the retry policy of one method, overriding WithFailureRetry.
func WithMethodRetry(method string, p retry.Policy) Option {
	return optionFunc(func(c *config) {
		if c.methodRetry == nil {
			c.methodRetry = map[string]retry.Policy{}
		}
		c.methodRetry[method] = p
	})
}

// WithBackupRequest sends another request when a call has no answer after delay (up to maxExtra
// more), taking the first success: it trims tail latency of idempotent methods. It replaces failure
// retry for the calls it applies to.
func WithBackupRequest(delay time.Duration, maxExtra int) Option {
	return optionFunc(func(c *config) { c.backupDelay, c.backupExtra = delay, maxExtra })
}

// WithRetryBudget caps retries and backup requests to a share of calls (default: 10% plus 10 per
// second), so that a failing service is not stormed. Nil removes the cap.
func WithRetryBudget(b *retry.Budget) Option {
	return optionFunc(func(c *config) { c.budget = b })
}

// WithFallback calls f when a call fails (on, which failures): f may fill resp and return nil, or return
// the error the caller gets.
func WithFallback(f FallbackFunc, on FallbackOn) Option {
	return optionFunc(func(c *config) { c.fallback, c.fallbackOn = f, on })
}

// WithACLRules checks every call against rules before it is sent; a rule's error rejects the call with
// rpcerr.CodePermissionDenied.
func WithACLRules(rules ...ACLRule) Option {
	return optionFunc(func(c *config) { c.acl = append(c.acl, rules...) })
}

// WithGRPCConfig sets the HTTP/2 settings of gRPC calls (WithTransportProtocol(transport.GRPC)):
// message sizes, flow-control windows, compression (default grpc.DefaultConfig()).
func WithGRPCConfig(cfg grpc.Config) Option {
	return optionFunc(func(c *config) { c.grpc = cfg })
}

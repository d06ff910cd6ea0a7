package client

import (
	"context"
	"sort"

	"github.com/ternhq/tern/framework/circuitbreak"
	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/transport"
)

// Description is a read-only snapshot of a client, for diagnostics (package debug serves it).
type Description struct {
	Service     string   `json:"service"`      // IDL service name
	Package     string   `json:"package"`      // IDL package
	DestService string   `json:"dest_service"` // the name resolved and sent to the server
	Caller      string   `json:"caller,omitempty"`
	Methods     []string `json:"methods"`
	Options     Options  `json:"options"`
	// Pool counts the connections of a pooled (long or short) client; nil for other kinds.
	Pool *connpool.PoolStats `json:"pool,omitempty"`
	// MuxConnections counts the open shared connections of a multiplexing client, by address.
	MuxConnections map[string]int `json:"mux_connections,omitempty"`
	// GRPCConnections counts the usable HTTP/2 connections of a gRPC client, by address.
	GRPCConnections map[string]int `json:"grpc_connections,omitempty"`
	// MethodBreakers and InstanceBreakers are the circuit breakers' states (with WithCircuitBreaker).
	MethodBreakers   []BreakerState `json:"method_breakers,omitempty"`
	InstanceBreakers []BreakerState `json:"instance_breakers,omitempty"`
	Resolver         *ResolverState `json:"resolver,omitempty"`
	Closed           bool           `json:"closed"`
}

// Options are a client's effective settings.
type Options struct {
	Protocol        string                   `json:"protocol"`
	Connections     string                   `json:"connections"` // "long", "short" or "mux"
	RPCTimeout      string                   `json:"rpc_timeout"`
	ConnectTimeout  string                   `json:"connect_timeout"`
	MaxFrameSize    int                      `json:"max_frame_size"`
	LongPool        *connpool.LongPoolConfig `json:"long_pool,omitempty"`
	MuxConns        int                      `json:"mux_conns,omitempty"`
	Middlewares     int                      `json:"middlewares"`
	ACLRules        int                      `json:"acl_rules"`
	CircuitBreakers bool                     `json:"circuit_breakers"`
	FailureRetry    bool                     `json:"failure_retry"`
	RetryMethods    []string                 `json:"retry_methods,omitempty"`
	BackupDelay     string                   `json:"backup_delay,omitempty"`
	Fallback        bool                     `json:"fallback"`
	LoadBalancer    string                   `json:"load_balancer"`
	StatsLevel      string                   `json:"stats_level"`
	Tracers         int                      `json:"tracers"`
	HostPorts       []string                 `json:"host_ports,omitempty"`
	ResolverName    string                   `json:"resolver_name,omitempty"`
	ResolverRefresh string                   `json:"resolver_refresh,omitempty"`
}

// BreakerState is one circuit breaker's state.
type BreakerState struct {
	Key           string `json:"key"`
	State         string `json:"state"`     // "closed", "open" or "half-open"
	Successes     int64  `json:"successes"` // in the breaker's window
	Failures      int64  `json:"failures"`
	Rejected      uint64 `json:"rejected"` // since the breaker was made
	OpenRemaining string `json:"open_remaining,omitempty"`
}

func breakerStates(stats []circuitbreak.Stats) []BreakerState {
	out := make([]BreakerState, len(stats))
	for i, st := range stats {
		out[i] = BreakerState{Key: st.Key, State: st.State.String(), Successes: st.Successes,
			Failures: st.Failures, Rejected: st.Rejected}
		if st.State == circuitbreak.Open {
			out[i].OpenRemaining = st.OpenRemaining.String()
		}
	}
	return out
}

// ResolverState is what the client's resolver cache holds for the destination service.
type ResolverState struct {
	Name      string               `json:"name"`
	Stats     discovery.CacheStats `json:"stats"`
	Instances []discovery.Instance `json:"instances"`
	Error     string               `json:"error,omitempty"` // the resolution's error, or the last refresh's
}

// Describe returns a snapshot of c, a client made by NewClient; false for any other Client. When the
// client has not resolved its destination service yet, Describe resolves it (as a call would), bounded
// by ctx.
func Describe(ctx context.Context, c Client) (Description, bool) {
	cl, ok := c.(*client)
	if !ok {
		return Description{}, false
	}
	d := Description{
		Service: cl.svc.ServiceName, Package: cl.svc.PackageName, DestService: cl.cfg.destService,
		Caller: cl.cfg.callerName, Methods: cl.svc.MethodNames(), Options: cl.options(),
		Closed: cl.closed.Load(),
	}
	switch rt := cl.rt.(type) {
	case *pooled:
		if r, ok := rt.pool.(connpool.StatsReporter); ok {
			st := r.Stats()
			d.Pool = &st
		}
	case *muxPool:
		d.MuxConnections = rt.openConns()
	case *grpcConns:
		d.GRPCConnections = rt.openConns()
	}
	if cl.methodBreakers != nil {
		d.MethodBreakers = breakerStates(cl.methodBreakers.Stats())
		d.InstanceBreakers = breakerStates(cl.instBreakers.Stats())
	}
	if cl.resolver != nil && !d.Closed {
		d.Resolver = cl.resolverState(ctx)
	}
	return d, true
}

func (c *client) options() Options {
	cfg := &c.cfg
	o := Options{
		Protocol: cfg.protocol.String(), Connections: [...]string{"long", "short", "mux"}[cfg.connKind],
		RPCTimeout: cfg.rpcTimeout.String(), ConnectTimeout: cfg.connectTimeout.String(),
		MaxFrameSize: cfg.maxFrameSize, Middlewares: len(cfg.middlewares), ACLRules: len(cfg.acl),
		CircuitBreakers: cfg.breakerConfig != nil, FailureRetry: cfg.retry != nil,
		Fallback: cfg.fallback != nil, LoadBalancer: c.balancer.Name(),
		StatsLevel: cfg.stats.Controller().Level().String(), Tracers: cfg.stats.Controller().Tracers(),
		HostPorts: cfg.hostPorts,
	}
	switch {
	case cfg.protocol == transport.GRPC:
		o.Connections = "http2" // one shared connection per address
	case cfg.connKind == connLong:
		lp := cfg.longPool
		o.LongPool = &lp
	case cfg.connKind == connMux:
		o.MuxConns = cfg.muxConns
	}
	for m := range cfg.methodRetry {
		o.RetryMethods = append(o.RetryMethods, m)
	}
	sort.Strings(o.RetryMethods)
	if cfg.backupDelay > 0 {
		o.BackupDelay = cfg.backupDelay.String()
	}
	if c.resolver != nil {
		o.ResolverName, o.ResolverRefresh = c.resolver.Name(), cfg.cacheConfig.RefreshInterval.String()
	}
	return o
}

func (c *client) resolverState(ctx context.Context) *ResolverState {
	rs := &ResolverState{Name: c.resolver.Name(), Stats: c.resolver.Stats()}
	res, err := c.resolver.Get(ctx, c.cfg.destService)
	if err == nil {
		err = c.resolver.LastError(c.cfg.destService)
	}
	if err != nil {
		rs.Error = err.Error()
	}
	rs.Instances = discovery.Sorted(discovery.Clone(res.Instances))
	return rs
}

// openConns counts the live shared connections by address.
func (p *muxPool) openConns() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.conns))
	for addr, slots := range p.conns {
		for _, s := range slots {
			if s.conn != nil && s.conn.usable() {
				out[addr]++
			}
		}
	}
	return out
}

// openConns counts the usable connections by address.
func (p *grpcConns) openConns() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.conns))
	for addr, s := range p.conns {
		if s.conn != nil && s.conn.Usable() {
			out[addr]++
		}
	}
	return out
}

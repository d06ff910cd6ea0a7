// Package client calls Tern and Kitex services over TTHeader, TTHeader+Framed, Framed or Buffered
// Thrift, on pooled (default), short or multiplexed connections.
//
// Generated clients wrap it; Call is the generic entry point they use:
//
//	cli, err := client.NewClient(echoservice.NewServiceInfo(), client.WithHostPorts("127.0.0.1:8888"),
//		client.WithRPCTimeout(time.Second))
//	err = cli.Call(ctx, "Echo", &echo.EchoEchoArgs{Req: req}, &result)
package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/circuitbreak"
	"github.com/ternhq/tern/framework/client/callopt"
	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/loadbalance"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/streaming"
	"github.com/ternhq/tern/framework/transport"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

// Client makes calls to one service.
type Client interface {
	// Call calls method with req (the method's argument value) and decodes the reply into resp (its
	// result value; nil for oneway methods). Errors carry an rpcerr code.
	Call(ctx context.Context, method string, req, resp any) error
	// NewStream opens a streaming call to method; it needs the gRPC transport protocol
	// (WithTransportProtocol(transport.GRPC)). Errors carry an rpcerr code.
	NewStream(ctx context.Context, method string) (streaming.ClientStream, error)
	// Close releases the client's connections.
	Close() error
}

// roundTripper sends one call on some connection and reads its reply.
type roundTripper interface {
	roundTrip(ctx context.Context, c *client, addr string, ri *rpcinfo.Info, req, resp any) error
	close() error
}

type client struct {
	cfg config
	svc *serviceinfo.ServiceInfo
	eps endpoint.Endpoint
	rt  roundTripper

	resolver       *discovery.Cache // nil: only per-call addresses
	balancer       loadbalance.Loadbalancer
	tracker        loadbalance.Tracker // the balancer's, if it counts calls in flight
	methodBreakers *circuitbreak.Set   // nil without WithCircuitBreaker
	instBreakers   *circuitbreak.Set
	methodKeys     map[string]string
	seq            atomic.Int32
	timeoutMS      string            // cfg.rpcTimeout in decimal milliseconds, for the TTHeader
	grpcPaths      map[string]string // gRPC path by method name, with the gRPC transport
	closed         atomic.Bool
}

// NewClient returns a client for the service svc describes.
func NewClient(svc *serviceinfo.ServiceInfo, opts ...Option) (Client, error) {
	if svc == nil {
		return nil, errors.New("client: NewClient: nil service info")
	}
	c := &client{cfg: defaultConfig(), svc: svc}
	for _, o := range opts {
		o.apply(&c.cfg)
	}
	if c.cfg.destService == "" {
		c.cfg.destService = svc.ServiceName
	}
	if c.cfg.dialer == nil {
		c.cfg.dialer = tnetpoll.Dial
	}
	if err := c.checkProtocol(); err != nil {
		return nil, err
	}
	switch {
	case c.cfg.protocol == transport.GRPC:
		c.rt = newGRPCConns(c.cfg.grpc)
		c.grpcPaths = make(map[string]string, len(svc.Methods))
		for name := range svc.Methods {
			c.grpcPaths[name] = svc.GRPCPrefix() + name
		}
	case c.cfg.connKind == connShort:
		c.rt = &pooled{pool: connpool.NewShortPool(c.cfg.dialer)}
	case c.cfg.connKind == connMux:
		c.cfg.protocol |= transport.TTHeader
		c.rt = newMuxPool(c.cfg.muxConns, c.cfg.dialer)
	default:
		c.rt = &pooled{pool: connpool.NewLongPool(c.cfg.dialer, c.cfg.longPool)}
	}
	c.timeoutMS = millis(c.cfg.rpcTimeout)
	c.setUpGovernance()
	mws := append(append(c.statsMiddleware(), c.cfg.middlewares...), c.governance()...)
	c.eps = endpoint.Chain(mws...)(c.send)
	clients.Add(c) // for diagnostics (live.go)
	return c, nil
}

// checkProtocol checks that the service's payload codec can travel over the configured transport
// protocol. Kitex Protobuf is always framed, so TTHeader becomes TTHeader+Framed for it.
func (c *client) checkProtocol() error {
	p := c.cfg.protocol
	switch p {
	case transport.TTHeader, transport.TTHeaderFramed, transport.Framed, transport.Buffered:
	case transport.GRPC:
		if c.svc.PayloadCodec != serviceinfo.Protobuf {
			return fmt.Errorf("client: service %s is a Thrift service; gRPC carries protobuf services", c.svc.ServiceName)
		}
		return nil
	default:
		return fmt.Errorf("client: transport protocol %v is not supported", p)
	}
	if c.svc.PayloadCodec != serviceinfo.Protobuf {
		return nil
	}
	if p == transport.Buffered {
		return fmt.Errorf("client: service %s is protobuf, which Kitex Protobuf frames: use TTHeader, TTHeaderFramed or Framed, not %v", c.svc.ServiceName, p)
	}
	c.cfg.protocol |= transport.Framed
	return nil
}

// setUpGovernance builds the resolver cache, load balancer and circuit breakers the options ask for.
func (c *client) setUpGovernance() {
	r := c.cfg.resolver
	if r == nil && len(c.cfg.hostPorts) > 0 {
		r = discovery.NewStatic(c.cfg.hostPorts...)
	}
	if r != nil {
		c.resolver = discovery.NewCache(r, c.cfg.cacheConfig)
	}
	c.balancer = c.cfg.balancer
	if c.balancer == nil {
		c.balancer = loadbalance.NewWeightedRoundRobin()
	}
	c.tracker, _ = c.balancer.(loadbalance.Tracker)
	if c.cfg.breakerConfig != nil {
		c.methodBreakers = circuitbreak.NewSet(c.cfg.breakerConfig)
		c.instBreakers = circuitbreak.NewSet(c.cfg.breakerConfig)
		c.methodKeys = c.methodKeyTable()
	}
}

// MustNewClient is NewClient that panics on error, for package-level clients.
func MustNewClient(svc *serviceinfo.ServiceInfo, opts ...Option) Client {
	c, err := NewClient(svc, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

func millis(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10)
}

// Call implements Client.
func (c *client) Call(ctx context.Context, method string, req, resp any) error {
	if c.closed.Load() {
		return rpcerr.New(rpcerr.CodeCanceled, "client is closed")
	}
	mi := c.svc.Methods[method]
	if mi == nil {
		return rpcerr.Errorf(rpcerr.CodeUnimplemented, "service %s has no method %q", c.svc.ServiceName, method)
	}
	if mi.StreamingMode != streaming.None {
		return rpcerr.Errorf(rpcerr.CodeUnimplemented, "%s.%s streams: open it with NewStream", c.svc.ServiceName, method)
	}
	d := rpcinfo.Data{
		Caller:     rpcinfo.Peer{Service: c.cfg.callerName},
		Callee:     rpcinfo.Peer{Service: c.cfg.destService, Method: mi.Name},
		SeqID:      c.seq.Add(1),
		Protocol:   c.cfg.protocol,
		RPCTimeout: c.cfg.rpcTimeout,
		Oneway:     mi.Oneway,
	}
	if co, ok := callopt.FromContext(ctx); ok {
		if co.RPCTimeout > 0 {
			d.RPCTimeout = co.RPCTimeout
		}
		if co.HostPort != "" {
			d.Callee.Addr = hostPort(co.HostPort)
		}
		if co.HashKey != "" {
			ctx = loadbalance.WithHashKey(ctx, co.HashKey)
		}
	}
	return c.eps(rpcinfo.NewCallContext(ctx, d), req, resp)
}

// Close implements Client.
func (c *client) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	if c.resolver != nil {
		_ = c.resolver.Close()
	}
	return c.rt.close()
}

// hostPort is an address given as "host:port".
type hostPort string

func (h hostPort) Network() string { return "tcp" }
func (h hostPort) String() string  { return string(h) }

// send is the innermost endpoint: it picks an instance and makes the call on the wire, guarded by the
// instance's circuit breaker and counted for load balancers that track calls in flight.
func (c *client) send(ctx context.Context, req, resp any) error {
	ri := rpcinfo.FromContext(ctx)
	addr, err := c.pick(ctx, ri, req)
	if err != nil {
		return notSent(err)
	}
	if err := ctx.Err(); err != nil {
		return contextError(ctx, err)
	}
	if c.instBreakers != nil {
		if err := c.instBreakers.Allow(addr); err != nil {
			return notSent(instanceOpen(err))
		}
	}
	if c.tracker != nil {
		c.tracker.Start(addr)
	}
	err = c.rt.roundTrip(ctx, c, addr, ri, req, resp)
	if c.tracker != nil {
		c.tracker.Done(addr, err)
	}
	if c.instBreakers != nil {
		c.instBreakers.Record(addr, err)
	}
	return err
}

// pick returns the address of the instance the call goes to: the per-call address, or one the load
// balancer picks among the resolved instances.
func (c *client) pick(ctx context.Context, ri *rpcinfo.Info, req any) (string, error) {
	if a := ri.Callee().Addr; a != nil {
		return a.String(), nil
	}
	if c.resolver == nil {
		return "", rpcerr.Errorf(rpcerr.CodeUnavailable, "no address for service %s: set client.WithHostPorts or client.WithResolver", c.cfg.destService)
	}
	res, err := c.resolver.Get(ctx, c.cfg.destService)
	if err != nil {
		return "", rpcerr.Errorf(rpcerr.CodeUnavailable, "resolve service %s: %w", c.cfg.destService, err)
	}
	inst, ok := c.balancer.GetPicker(res).Next(ctx, req)
	if !ok {
		return "", rpcerr.Errorf(rpcerr.CodeUnavailable, "no instance of service %s (resolver %s)", c.cfg.destService, c.resolver.Name())
	}
	return inst.Address, nil
}

// deadline returns when the call must be over: the earlier of the RPC timeout and ctx's deadline.
func deadline(ctx context.Context, ri *rpcinfo.Info) (time.Time, bool) {
	d, ok := ctx.Deadline()
	if t := ri.RPCTimeout(); t > 0 {
		if rd := time.Now().Add(t); !ok || rd.Before(d) {
			return rd, true
		}
	}
	return d, ok
}

// contextError maps a context error onto the rpcerr codes.
func contextError(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return rpcerr.Wrap(rpcerr.CodeDeadlineExceeded, err)
	}
	return rpcerr.Wrap(rpcerr.CodeCanceled, err)
}

var _ net.Addr = hostPort("")

func callOptions(ctx context.Context) (callopt.Options, bool) { return callopt.FromContext(ctx) }

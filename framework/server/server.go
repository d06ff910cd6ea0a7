// Package server runs Tern services: one port answers TTHeader, TTHeader+Framed, Framed and Buffered
// Thrift clients at once, each reply mirroring its request's framing, and several services can share a
// server (TTHeader requests are routed by the "isn" header).
//
//	svr := server.NewServer(server.WithServiceAddr(&net.TCPAddr{Port: 8888}))
//	if err := svr.RegisterService(echoservice.NewServiceInfo(), new(EchoImpl)); err != nil { ... }
//	if err := svr.Run(); err != nil { ... } // until Stop, SIGINT or SIGTERM
//
// Stop is graceful: the listener closes at once, calls in flight finish (up to WithExitWaitTime), replies
// written meanwhile ask pooled clients to drop their connections (the TTHeader "crrst" key), and idle
// connections are closed.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/limit"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/streaming"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/grpc"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

// Server serves registered services. Create one with NewServer.
type Server struct {
	cfg config

	mu       sync.Mutex
	services map[string]*service // by IDL service name
	byMethod map[string]*service // for requests that name no service
	started  bool
	ln       net.Listener
	np       *tnetpoll.Server
	grpc     *grpc.Server // serves the connections that speak HTTP/2
	conns    map[*conn]struct{}
	serveErr chan error
	stopOnce sync.Once
	stopped  chan struct{}

	shutting atomic.Bool
	limits   *limit.Limits // nil without limits

	firstService string         // the first service registered, the default registry name
	registered   *registry.Info // what was registered in the registry, if anything
}

type service struct {
	info     *serviceinfo.ServiceInfo
	handler  any
	fallback bool
	call     endpoint.Endpoint
}

// NewServer returns a server configured by opts; register services on it, then Run or Start it.
func NewServer(opts ...Option) *Server {
	s := &Server{
		cfg:      defaultConfig(),
		services: make(map[string]*service),
		conns:    make(map[*conn]struct{}),
		serveErr: make(chan error, 1),
		stopped:  make(chan struct{}),
	}
	for _, o := range opts {
		o.apply(&s.cfg)
	}
	if s.cfg.limits != (limit.Config{}) {
		s.limits = limit.New(s.cfg.limits)
	}
	servers.Add(s) // for diagnostics (live.go)
	return s
}

// LimitStats reports the server's limit counters (zero without WithLimit).
func (s *Server) LimitStats() limit.Stats {
	if s.limits == nil {
		return limit.Stats{}
	}
	return s.limits.Stats()
}

// RegisterService adds a service implemented by handler, which must implement the service's handler
// interface. Register every service before Start.
func (s *Server) RegisterService(info *serviceinfo.ServiceInfo, handler any, opts ...RegisterOption) error {
	if info == nil || info.ServiceName == "" {
		return errors.New("server: RegisterService: service info without a service name")
	}
	if handler == nil {
		return fmt.Errorf("server: RegisterService %s: nil handler", info.ServiceName)
	}
	var rc registerConfig
	for _, o := range opts {
		o.applyRegister(&rc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return fmt.Errorf("server: RegisterService %s: the server is already running", info.ServiceName)
	}
	if _, dup := s.services[info.ServiceName]; dup {
		return fmt.Errorf("server: service %s is registered twice", info.ServiceName)
	}
	if rc.fallback {
		for _, other := range s.services {
			if other.fallback {
				return fmt.Errorf("server: services %s and %s are both marked WithFallbackService", other.info.ServiceName, info.ServiceName)
			}
		}
	}
	svc := &service{info: info, handler: handler, fallback: rc.fallback}
	mws := s.cfg.middlewares
	if len(s.cfg.acl) > 0 {
		mws = append(append([]endpoint.Middleware(nil), mws...), s.aclMiddleware)
	}
	svc.call = endpoint.Chain(s.withStats(info, mws)...)(svc.invokeHandler)
	if s.firstService == "" {
		s.firstService = info.ServiceName
	}
	s.services[info.ServiceName] = svc
	return nil
}

// invokeHandler is the innermost endpoint: it calls the user's handler for the method in the call's
// rpcinfo. For a streaming method args is the call's streaming.ServerStream (and result nil).
func (svc *service) invokeHandler(ctx context.Context, args, result any) error {
	name := rpcinfo.FromContext(ctx).Method()
	m := svc.info.Methods[name]
	if m == nil {
		return rpcerr.Errorf(rpcerr.CodeUnimplemented, "service %s has no method %q", svc.info.ServiceName, name)
	}
	if m.StreamHandler != nil {
		st, ok := args.(streaming.ServerStream)
		if !ok {
			return rpcerr.Errorf(rpcerr.CodeInternal, "streaming method %s called without a stream", name)
		}
		return m.StreamHandler(svc.handler, st)
	}
	return m.Handler(ctx, svc.handler, args, result)
}

// buildRoutes maps every method name to the service that answers it when a request names no service.
func (s *Server) buildRoutes() error {
	if len(s.services) == 0 {
		return errors.New("server: no service registered")
	}
	s.byMethod = make(map[string]*service)
	var conflicts []string
	for _, svc := range s.services {
		for name := range svc.info.Methods {
			other, taken := s.byMethod[name]
			switch {
			case !taken || svc.fallback:
				s.byMethod[name] = svc
			case other.fallback:
			default:
				conflicts = append(conflicts, fmt.Sprintf("%s (in %s and %s)", name, other.info.ServiceName, svc.info.ServiceName))
			}
		}
	}
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return fmt.Errorf("server: methods defined by several services: %v; mark one service WithFallbackService", conflicts)
	}
	return nil
}

// Start listens and serves in the background; it returns once the server accepts connections and, with
// WithRegistry, is registered.
func (s *Server) Start() error {
	addr, err := s.listen()
	if err != nil {
		return err
	}
	s.cfg.logger.Info("tern server listening", "addr", addr.String(), "services", s.serviceNames())
	if err := s.register(addr); err != nil {
		_ = s.Stop()
		return err
	}
	return nil
}

// listen opens the listener and starts serving.
func (s *Server) listen() (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return nil, errors.New("server: already started")
	}
	if s.shutting.Load() {
		return nil, errors.New("server: stopped before it started")
	}
	if err := s.buildRoutes(); err != nil {
		return nil, err
	}
	ln := s.cfg.listener
	if ln == nil {
		var err error
		if ln, err = net.Listen(s.cfg.addr.Network(), s.cfg.addr.String()); err != nil {
			return nil, fmt.Errorf("server: listen: %w", err)
		}
	}
	s.grpc = grpc.NewServer(newGRPCHandler(s), s.cfg.grpc)
	np, err := tnetpoll.NewServer(ln, s.accept)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("server: %w", err)
	}
	s.ln, s.np, s.started = ln, np, true
	go func() { s.serveErr <- np.Serve() }()
	if s.cfg.maxIdle > 0 {
		go s.closeIdleLoop()
	}
	return ln.Addr(), nil
}

// Run starts the server and blocks until it stops: after Stop, or on SIGINT or SIGTERM (then it stops
// gracefully itself).
func (s *Server) Run() error {
	if err := s.Start(); err != nil {
		return err
	}
	var sig chan os.Signal
	if s.cfg.handleSignals {
		sig = make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		defer signal.Stop(sig)
	}
	select {
	case err := <-s.serveErr:
		if err != nil {
			_ = s.Stop()
			return err
		}
		<-s.stopped
	case got := <-sig:
		s.cfg.logger.Info("tern server: signal received, stopping", "signal", got.String())
		return s.Stop()
	case <-s.stopped:
	}
	return nil
}

// Addr returns the address the server listens on, or nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Stop shuts the server down gracefully: it stops accepting, lets calls in flight finish (up to the
// exit wait time), then closes every connection. Replies written while stopping carry the TTHeader
// "crrst" key so pooled clients drop the connection. It returns an error when calls were still running
// at the deadline.
func (s *Server) Stop() error {
	var err error
	s.stopOnce.Do(func() { err = s.stop() })
	return err
}

func (s *Server) stop() error {
	defer close(s.stopped)
	s.mu.Lock()
	s.shutting.Store(true) // under mu: listen either sees it or has set ln already
	ln, np := s.ln, s.np
	s.mu.Unlock()
	if ln == nil {
		return nil
	}
	s.deregister()
	np.StopAccepting()

	deadline := time.NewTimer(s.cfg.exitWait)
	defer deadline.Stop()
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), s.cfg.exitWait)
	defer cancelDrain()
	go func() { _ = s.grpc.Shutdown(drainCtx) }() // GOAWAY to HTTP/2 clients; they close when done
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		if s.closeConns(func(c *conn) bool { return c.idle() }) == 0 {
			break wait // every connection is closed: no call is left
		}
		select {
		case <-deadline.C:
			err = rpcerr.Errorf(rpcerr.CodeDeadlineExceeded, "server: calls still running after the exit wait time %v", s.cfg.exitWait)
			s.cfg.logger.Warn("tern server: stopping with calls still running", "exit_wait", s.cfg.exitWait)
			break wait
		case <-tick.C:
		}
	}
	s.closeConns(func(*conn) bool { return true })
	closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = np.Close(closeCtx)
	s.cfg.logger.Info("tern server stopped", "addr", ln.Addr().String())
	return err
}

// closeConns closes the connections pick selects and returns how many connections were open.
func (s *Server) closeConns(pick func(*conn) bool) int {
	s.mu.Lock()
	open := len(s.conns)
	var victims []*conn
	for c := range s.conns {
		if pick(c) {
			victims = append(victims, c)
		}
	}
	s.mu.Unlock()
	for _, c := range victims {
		if c.http2.Load() { // its reader is blocked in a read: wake it, and netpoll closes after it
			_ = transport.Interrupt(c.tc)
		} else {
			_ = c.tc.Close()
		}
	}
	return open
}

// closeIdleLoop closes connections idle longer than the configured maximum, until Stop.
func (s *Server) closeIdleLoop() {
	every := max(min(s.cfg.maxIdle/2, time.Second), time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stopped:
			return
		case now := <-t.C:
			limit := now.Add(-s.cfg.maxIdle).UnixNano()
			s.closeConns(func(c *conn) bool { return c.idle() && c.lastActive.Load() < limit })
		}
	}
}

func (s *Server) serviceNames() []string {
	names := make([]string, 0, len(s.services))
	for n := range s.services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// accept registers a new connection; during shutdown it refuses it.
func (s *Server) accept(tc transport.Conn) tnetpoll.ConnHandler {
	if s.shutting.Load() {
		return nil
	}
	_ = tc.SetReadTimeout(s.cfg.readWrite)
	_ = tc.SetWriteTimeout(s.cfg.readWrite)
	c := &conn{s: s, tc: tc}
	if s.limits != nil {
		if err := s.limits.AcquireConn(); err != nil {
			// Answer the first request with the error, then close; a refused peer that sends nothing is
			// closed after the read/write timeout, so that refused connections do not pile up.
			c.refused = err
			time.AfterFunc(max(s.cfg.readWrite, time.Second), func() { _ = tc.Close() })
		} else {
			c.limited = true
		}
	}
	c.lastActive.Store(time.Now().UnixNano())
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	return c
}

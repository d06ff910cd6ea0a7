package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
)

// registryTimeout bounds a registration or deregistration.
const registryTimeout = 5 * time.Second

// register announces the listening server in the configured registry.
func (s *Server) register(addr net.Addr) error {
	if s.cfg.registry == nil {
		return nil
	}
	info := s.cfg.registryInfo
	if info.ServiceName == "" {
		info.ServiceName = s.firstService
	}
	if info.Address == "" {
		info.Address = advertisedAddress(addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), registryTimeout)
	defer cancel()
	if err := s.cfg.registry.Register(ctx, info); err != nil {
		return fmt.Errorf("server: register %s at %s: %w", info.ServiceName, info.Address, err)
	}
	s.mu.Lock()
	stopping := s.shutting.Load()
	if !stopping {
		s.registered = &info
	}
	s.mu.Unlock()
	if stopping { // Stop ran while registering: take the registration back at once
		_ = s.cfg.registry.Deregister(ctx, info)
		return errors.New("server: stopped while registering")
	}
	s.cfg.logger.Info("tern server registered", "service", info.ServiceName, "addr", info.Address)
	return nil
}

// deregister withdraws the server from the registry, logging a failure (stopping goes on regardless).
func (s *Server) deregister() {
	s.mu.Lock()
	info := s.registered
	s.registered = nil
	s.mu.Unlock()
	if info == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), registryTimeout)
	defer cancel()
	if err := s.cfg.registry.Deregister(ctx, *info); err != nil {
		s.cfg.logger.Warn("tern server: deregister failed", "service", info.ServiceName, "addr", info.Address, "error", err.Error())
	}
}

// advertisedAddress is the address clients should dial: the listening one, with an unspecified host
// (0.0.0.0, ::) replaced by this machine's first non-loopback address.
func advertisedAddress(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	host := "127.0.0.1"
	if ifaces, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ifaces {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
				host = ipn.IP.String()
				break
			}
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// aclMiddleware rejects calls a rule refuses before the handler runs.
func (s *Server) aclMiddleware(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req, resp any) error {
		for _, rule := range s.cfg.acl {
			if err := rule(ctx, req); err != nil {
				return rpcerr.Errorf(rpcerr.CodePermissionDenied, "call to %s rejected by ACL: %w",
					rpcinfo.FromContext(ctx).Method(), err)
			}
		}
		return next(ctx, req, resp)
	}
}

package server

import (
	"github.com/ternhq/tern/framework/limit"
	"github.com/ternhq/tern/framework/registry"
)

// Description is a read-only snapshot of a server, for diagnostics (package debug serves it).
type Description struct {
	Addr        string               `json:"addr,omitempty"` // empty before Start
	Services    []ServiceDescription `json:"services"`
	Options     Options              `json:"options"`
	Connections int                  `json:"connections"`     // open connections
	InFlight    int                  `json:"calls_in_flight"` // calls being read or served on them
	// Limits are the limit counters, with WithLimit.
	Limits     *limit.Stats   `json:"limits,omitempty"`
	Registered *registry.Info `json:"registered,omitempty"` // what the registry holds, if anything
	Stopping   bool           `json:"stopping"`
}

// ServiceDescription is one registered service.
type ServiceDescription struct {
	Name     string   `json:"name"`
	Package  string   `json:"package,omitempty"`
	Codec    string   `json:"codec"` // "thrift" or "protobuf"
	Fallback bool     `json:"fallback,omitempty"`
	Methods  []string `json:"methods"`
}

// Options are a server's effective settings.
type Options struct {
	ReadWriteTimeout string       `json:"read_write_timeout"`
	MaxConnIdleTime  string       `json:"max_conn_idle_time,omitempty"`
	ExitWaitTime     string       `json:"exit_wait_time"`
	MaxFrameSize     int          `json:"max_frame_size"`
	Middlewares      int          `json:"middlewares"`
	ACLRules         int          `json:"acl_rules"`
	Limits           limit.Config `json:"limits"`
	Registry         bool         `json:"registry"`
	SignalHandling   bool         `json:"signal_handling"`
	StatsLevel       string       `json:"stats_level"`
	Tracers          int          `json:"tracers"`
}

// Describe returns a snapshot of the server: services and methods, settings, connections and calls,
// limit counters and registration.
func (s *Server) Describe() Description {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := Description{Options: s.options(), Connections: len(s.conns), Stopping: s.shutting.Load()}
	if s.ln != nil {
		d.Addr = s.ln.Addr().String()
	}
	for c := range s.conns {
		d.InFlight += int(c.inflight.Load())
	}
	for _, name := range s.serviceNames() {
		svc := s.services[name]
		codec := "thrift"
		if svc.info.PayloadCodec != 0 {
			codec = "protobuf"
		}
		d.Services = append(d.Services, ServiceDescription{Name: name, Package: svc.info.PackageName,
			Codec: codec, Fallback: svc.fallback, Methods: svc.info.MethodNames()})
	}
	if s.limits != nil {
		st := s.limits.Stats()
		d.Limits = &st
	}
	if s.registered != nil {
		r := *s.registered
		d.Registered = &r
	}
	return d
}

func (s *Server) options() Options {
	cfg := &s.cfg
	o := Options{
		ReadWriteTimeout: cfg.readWrite.String(), ExitWaitTime: cfg.exitWait.String(),
		MaxFrameSize: cfg.maxFrameSize, Middlewares: len(cfg.middlewares), ACLRules: len(cfg.acl),
		Limits: cfg.limits, Registry: cfg.registry != nil, SignalHandling: cfg.handleSignals,
		StatsLevel: cfg.stats.Controller().Level().String(), Tracers: cfg.stats.Controller().Tracers(),
	}
	if cfg.maxIdle > 0 {
		o.MaxConnIdleTime = cfg.maxIdle.String()
	}
	return o
}

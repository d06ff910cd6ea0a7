package server

import (
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/stats"
)

// WithTracer adds a tracer that observes every call the server serves (see package stats); tracers
// start in the order added and finish in reverse. Requests that cannot be routed to a method (unknown
// service or method, undecodable message) are not traced.
func WithTracer(t stats.Tracer) Option {
	return optionFunc(func(c *config) {
		c.stats.AddTracer(t)
	})
}

// WithStatsLevel sets how much is recorded for tracers (default stats.LevelDetailed when a tracer is
// set); stats.LevelDisabled turns tracers off.
func WithStatsLevel(l stats.Level) Option {
	return optionFunc(func(c *config) {
		c.stats.SetLevel(l)
	})
}

// withStats wraps a service's middleware with the stats middleware when a tracer listens: the outermost
// records calls no transport started a record for, the innermost times the handler. It returns mws
// itself otherwise.
func (s *Server) withStats(info *serviceinfo.ServiceInfo, mws []endpoint.Middleware) []endpoint.Middleware {
	ctl := s.cfg.stats.Controller()
	if ctl == nil {
		return mws
	}
	out := make([]endpoint.Middleware, 0, len(mws)+2)
	out = append(out, ctl.ServerMiddleware(info))
	out = append(out, mws...)
	return append(out, ctl.HandlerMiddleware())
}

// startStats starts the stats record of a call read from a connection, when a tracer listens and the
// call was routed to a method; the handler then runs with the context the tracers returned. It returns
// nil otherwise.
func (s *Server) startStats(cl *call) *stats.Call {
	if s.cfg.stats.Controller() == nil || cl.ctx == nil || cl.svc == nil {
		return nil
	}
	ctx, sc := s.cfg.stats.Controller().Start(cl.ctx, stats.Server, cl.svc.info)
	cl.ctx = ctx
	return sc
}

// finishStats ends the stats record of a call once its reply is written (or, for oneway calls, once the
// handler returned).
func (s *Server) finishStats(sc *stats.Call, cl *call) {
	if !cl.oneway {
		sc.Record(stats.ServerResponseWritten)
	}
	s.cfg.stats.Controller().Finish(cl.ctx, sc, cl.err)
}

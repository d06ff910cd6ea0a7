package client

import (
	"context"

	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/stats"
)

// WithTracer adds a tracer that observes every call (see package stats); tracers start in the order
// added and finish in reverse. A tracer sees a call once, however many attempts retries make.
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

// statsMiddleware returns the outermost middleware when a tracer listens: it records each call from
// entry to return. The result is a new slice, safe to append to.
func (c *client) statsMiddleware() []endpoint.Middleware {
	if mw := c.cfg.stats.Controller().ClientMiddleware(c.svc); mw != nil {
		return []endpoint.Middleware{mw}
	}
	return nil
}

// connected records that a connection to addr is ready for the call, when a tracer listens.
func (c *client) connected(ctx context.Context, addr string) {
	if c.cfg.stats.Controller() != nil {
		call := stats.FromContext(ctx)
		call.SetRemoteAddr(addr)
		call.Record(stats.ClientConnected)
	}
}

// requestWritten records that the request is on the wire, when a tracer listens.
func (c *client) requestWritten(ctx context.Context) {
	if c.cfg.stats.Controller() != nil {
		stats.Record(ctx, stats.ClientRequestWritten)
	}
}

// responseRead records that the call's reply arrived, when a tracer listens.
func (c *client) responseRead(ctx context.Context) {
	if c.cfg.stats.Controller() != nil {
		stats.Record(ctx, stats.ClientResponseRead)
	}
}

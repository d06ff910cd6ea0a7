package stats

import (
	"context"

	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/streaming"
)

// Controller runs a client's or server's tracers: it starts and finishes Call records and calls the
// tracers. Clients and servers build one from their options; a nil *Controller means nothing listens,
// and its methods then do nothing.
type Controller struct {
	level   Level
	tracers []Tracer
}

// NewController returns a Controller calling tracers at level, or nil when there is nothing to do (no
// tracer, or LevelDisabled). Nil tracers are skipped.
func NewController(level Level, tracers ...Tracer) *Controller {
	var ts []Tracer
	for _, t := range tracers {
		if t != nil {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 || level == LevelDisabled {
		return nil
	}
	return &Controller{level: level, tracers: ts}
}

// Level returns the level calls are recorded at (LevelDisabled for a nil Controller).
func (c *Controller) Level() Level {
	if c == nil {
		return LevelDisabled
	}
	return c.level
}

// Tracers returns how many tracers listen.
func (c *Controller) Tracers() int {
	if c == nil {
		return 0
	}
	return len(c.tracers)
}

// Start begins recording a call of svc on side: it makes the Call, puts it in the context and starts
// every tracer. The call's rpcinfo is taken from ctx. A nil Controller returns ctx and a nil Call.
func (c *Controller) Start(ctx context.Context, side Side, svc *serviceinfo.ServiceInfo) (context.Context, *Call) {
	if c == nil {
		return ctx, nil
	}
	call := newCall(side, c.level, svc, rpcinfo.FromContext(ctx))
	ctx = NewContext(ctx, call)
	for _, t := range c.tracers {
		ctx = t.Start(ctx, call)
	}
	return ctx, call
}

// Finish records the call's end and error and finishes the tracers in reverse order. ctx is the
// context Start returned. It does nothing for a nil Call.
func (c *Controller) Finish(ctx context.Context, call *Call, err error) {
	if c == nil || call == nil {
		return
	}
	call.err = err
	call.Record(finishEvent(call.side))
	for i := len(c.tracers) - 1; i >= 0; i-- {
		c.tracers[i].Finish(ctx, call)
	}
}

// ClientMiddleware returns the outermost middleware of a client of svc: it records every call (all its
// attempts) from entry to return. It returns nil for a nil Controller.
func (c *Controller) ClientMiddleware(svc *serviceinfo.ServiceInfo) endpoint.Middleware {
	if c == nil {
		return nil
	}
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			ctx, call := c.Start(ctx, Client, svc)
			return c.run(ctx, call, next, req, resp)
		}
	}
}

// ServerMiddleware returns the outermost middleware of a server's service svc. A transport that records
// its own events (reading the request, writing the reply) starts the Call itself, before the middleware
// runs; for calls that arrive without one (gRPC calls, streaming ones included), this middleware
// records them from the first middleware to the handler's return, and a streaming handler's stream
// then answers Context with the tracers' context. It returns nil for a nil Controller.
func (c *Controller) ServerMiddleware(svc *serviceinfo.ServiceInfo) endpoint.Middleware {
	if c == nil {
		return nil
	}
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			if call := FromContext(ctx); call != nil && call.side == Server {
				return next(ctx, req, resp)
			}
			ctx, call := c.Start(ctx, Server, svc)
			if ss, ok := req.(streaming.ServerStream); ok { // a streaming handler reads its stream's context
				req = contextStream{ServerStream: ss, ctx: ctx}
			}
			return c.run(ctx, call, next, req, resp)
		}
	}
}

// HandlerMiddleware returns the innermost middleware of a server: it records ServerHandlerStart and
// ServerHandlerEnd around the user's handler. It returns nil for a nil Controller.
func (c *Controller) HandlerMiddleware() endpoint.Middleware {
	if c == nil {
		return nil
	}
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			call := FromContext(ctx)
			call.Record(ServerHandlerStart)
			defer call.Record(ServerHandlerEnd) // a panicking handler ended too
			return next(ctx, req, resp)
		}
	}
}

// errPanicked is the error a call is finished with when a panic unwinds through the stats middleware.
var errPanicked = rpcerr.New(rpcerr.CodeInternal, "stats: the call panicked")

// run calls next and finishes the call with its error; a panic passing through finishes it with
// errPanicked (so tracers end their spans and in-flight counts) and goes on unwinding.
func (c *Controller) run(ctx context.Context, call *Call, next endpoint.Endpoint, req, resp any) error {
	done := false
	defer func() {
		if !done {
			c.Finish(ctx, call, errPanicked)
		}
	}()
	err := next(ctx, req, resp)
	done = true
	c.Finish(ctx, call, err)
	return err
}

// contextStream is a server stream whose Context is the one the tracers returned.
type contextStream struct {
	streaming.ServerStream
	ctx context.Context
}

// Context implements streaming.ServerStream.
func (s contextStream) Context() context.Context { return s.ctx }

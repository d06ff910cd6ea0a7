package client

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/ternhq/tern/framework/circuitbreak"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
)

// FallbackFunc handles a failed call: it may fill resp and return nil, or return the error the caller
// gets (err itself to change nothing).
type FallbackFunc func(ctx context.Context, req, resp any, err error) error

// FallbackOn says which failures a fallback handles.
type FallbackOn uint8

// Failures a fallback may handle.
const (
	FallbackOnError                FallbackOn = iota // every error
	FallbackOnTimeoutOrCircuitOpen                   // only timeouts and open circuit breakers
)

// ACLRule checks a call before it is sent; an error rejects it.
type ACLRule func(ctx context.Context, req any) error

// governance builds the middleware the options ask for, innermost last: ACL, fallback, retry, and the
// per-method circuit breaker around the call to an instance.
func (c *client) governance() []endpoint.Middleware {
	var mws []endpoint.Middleware
	if len(c.cfg.acl) > 0 {
		mws = append(mws, c.aclMiddleware)
	}
	if c.cfg.fallback != nil {
		mws = append(mws, c.fallbackMiddleware)
	}
	if c.cfg.retry != nil || len(c.cfg.methodRetry) > 0 || c.cfg.backupDelay > 0 {
		mws = append(mws, c.retryMiddleware)
	}
	if c.methodBreakers != nil {
		mws = append(mws, c.breakerMiddleware)
	}
	return mws
}

func (c *client) aclMiddleware(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req, resp any) error {
		for _, rule := range c.cfg.acl {
			if err := rule(ctx, req); err != nil {
				return rpcerr.Errorf(rpcerr.CodePermissionDenied, "call to %s.%s rejected by ACL: %w",
					c.cfg.destService, rpcinfo.FromContext(ctx).Method(), err)
			}
		}
		return next(ctx, req, resp)
	}
}

func (c *client) fallbackMiddleware(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req, resp any) error {
		err := next(ctx, req, resp)
		if err == nil {
			return nil
		}
		if c.cfg.fallbackOn == FallbackOnTimeoutOrCircuitOpen {
			switch rpcerr.CodeOf(err) {
			case rpcerr.CodeDeadlineExceeded, rpcerr.CodeCircuitOpen:
			default:
				return err
			}
		}
		return c.cfg.fallback(ctx, req, resp, err)
	}
}

// breakerMiddleware fails calls fast while the method's breaker is open, and records every outcome.
func (c *client) breakerMiddleware(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req, resp any) error {
		key := c.methodKeys[rpcinfo.FromContext(ctx).Method()]
		if err := c.methodBreakers.Allow(key); err != nil {
			return notSent(err)
		}
		err := next(ctx, req, resp)
		if !errors.Is(err, errInstanceOpen) { // one bad instance says nothing about the method
			c.methodBreakers.Record(key, err)
		}
		return err
	}
}

// methodKeyTable builds the breaker key of every method once, so calls need not.
func (c *client) methodKeyTable() map[string]string {
	keys := make(map[string]string, len(c.svc.Methods))
	for name := range c.svc.Methods {
		keys[name] = circuitbreak.MethodKey(c.cfg.callerName, c.cfg.destService, name)
	}
	return keys
}

// copyResult stores a finished attempt's result into the caller's: both are pointers to the same
// generated struct type.
func copyResult(dst, src any) {
	reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src).Elem())
}

// winner keeps the result of the first concurrent attempt to succeed.
type winner struct{ res atomic.Pointer[any] }

func (w *winner) offer(result any) { w.res.CompareAndSwap(nil, &result) }

func (w *winner) result() any { return *w.res.Load() }

// errInstanceOpen marks a call an instance's open circuit breaker refused: a retry may go to another
// instance (a method's open breaker, by contrast, would refuse the retry too).
var errInstanceOpen = errors.New("instance circuit breaker open")

// instanceOpen wraps an instance breaker's refusal so that it can be told apart.
func instanceOpen(err error) error {
	return fmt.Errorf("%w: %w", errInstanceOpen, err)
}

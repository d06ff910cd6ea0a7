package client

import (
	"context"
	"errors"

	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/retry"
	"github.com/ternhq/tern/framework/rpcinfo"
)

// notSent marks an error that happened before the request left, which any retry policy may retry.
func notSent(err error) error { return retry.NotSent(err) }

// policy returns the retry policy of a method, if any. Without a RetryOn of its own, a policy retries
// what retry.DefaultRetryOn does and also calls an instance's open circuit breaker refused: the retry
// goes to another instance. A method the IDL marks idempotent is retried as if the policy said so.
func (c *client) policy(method string) (retry.Policy, bool) {
	p, ok := c.cfg.methodRetry[method]
	if !ok && c.cfg.retry != nil {
		p, ok = *c.cfg.retry, true
	}
	if ok && p.RetryOn == nil {
		p.RetryOn = retryOn
	}
	if mi := c.svc.Methods[method]; mi != nil && mi.Idempotent {
		p.Idempotent = true
	}
	return p, ok
}

func retryOn(err error) bool {
	return retry.DefaultRetryOn(err) || errors.Is(err, errInstanceOpen)
}

// retryMiddleware retries failed calls, or sends backup requests for slow calls of idempotent methods.
// Every attempt after the first gets a sequence id of its own; attempts that may run at once decode into
// results of their own, the winner's copied into the caller's once the call is decided.
func (c *client) retryMiddleware(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req, resp any) error {
		ri := rpcinfo.FromContext(ctx)
		if ri.Oneway() {
			c.cfg.budget.Deposit()
			return next(ctx, req, resp) // never retried: there is no reply to tell failure from loss
		}
		mi := c.svc.Methods[ri.Method()]
		p, ok := c.policy(ri.Method())
		if c.cfg.backupDelay > 0 && (mi.Idempotent || p.Idempotent) {
			return c.backup(ctx, ri, next, req, resp)
		}
		if !ok {
			c.cfg.budget.Deposit()
			return next(ctx, req, resp)
		}
		return retry.Do(ctx, p, c.cfg.budget, func(actx context.Context, attempt int) error {
			if attempt == 1 {
				return next(actx, req, resp)
			}
			result := mi.NewResult() // the failed attempt may have left resp half-decoded
			if err := next(c.attemptContext(actx, ri, attempt), req, result); err != nil {
				return err
			}
			copyResult(resp, result)
			return nil
		})
	}
}

// backup sends backup requests: a second request to the same method while the first may still be
// running, which only an idempotent method may get. The first attempt to succeed keeps its result; it
// is copied into resp after Backup returns, so no attempt still running can touch resp.
func (c *client) backup(ctx context.Context, ri *rpcinfo.Info, next endpoint.Endpoint, req, resp any) error {
	mi := c.svc.Methods[ri.Method()]
	var w winner
	err := retry.Backup(ctx, c.cfg.backupDelay, c.cfg.backupExtra, c.cfg.budget, func(actx context.Context, attempt int) error {
		result := mi.NewResult()
		if err := next(c.attemptContext(actx, ri, attempt), req, result); err != nil {
			return err
		}
		w.offer(result)
		return nil
	})
	if err == nil {
		copyResult(resp, w.result())
	}
	return err
}

// attemptContext gives attempts after the first a sequence id of their own.
func (c *client) attemptContext(ctx context.Context, ri *rpcinfo.Info, attempt int) context.Context {
	if attempt == 1 {
		return ctx
	}
	d := ri.Data()
	d.SeqID = c.seq.Add(1)
	return rpcinfo.NewCallContext(ctx, d)
}

package client

import (
	"context"
	"fmt"

	"github.com/ternhq/tern/framework/internal/callctx"
	"github.com/ternhq/tern/framework/rpcinfo"
)

// callContext is the context a call runs with through the middleware chain: the caller's context and
// the call's rpcinfo in one allocation, where rpcinfo.NewContext(ctx, rpcinfo.New(d)) takes two. It
// answers rpcinfo's key itself; every other key, the deadline and cancellation are the parent's. It
// is made per call and never pooled, so middleware may keep it.
type callContext struct {
	context.Context
	info rpcinfo.Info
}

// newCallContext returns the context of a call described by d, derived from parent.
func newCallContext(parent context.Context, d rpcinfo.Data) *callContext {
	// rpcinfo.New is inlined, so the Info it makes is copied into the context rather than allocated.
	return &callContext{Context: parent, info: *rpcinfo.New(d)}
}

// Value returns the call's *rpcinfo.Info for rpcinfo's key and the parent's value for any other key.
func (c *callContext) Value(key any) any {
	if _, ok := key.(callctx.InfoKey); ok {
		return &c.info
	}
	return c.Context.Value(key)
}

// String describes the context, as the context package's own types do.
func (c *callContext) String() string {
	return fmt.Sprintf("%v.WithCall(%s.%s)", c.Context, c.info.Callee().Service, c.info.Method())
}

package server

import (
	"context"

	"github.com/ternhq/tern/framework/internal/callctx"
	"github.com/ternhq/tern/framework/rpcinfo"
)

// handlerContext is the context a handler runs with: its parent (context.Background or the gRPC
// stream's context, with the metainfo received, if any), the call's rpcinfo and the store of backward
// values the handler sends, all in one allocation. It answers rpcinfo's and metainfo's keys itself;
// every other key, the deadline and cancellation are the parent's. It is made per call and never
// pooled, so handlers may keep it.
type handlerContext struct {
	rpcinfo.CallContext
	back callctx.Backward // made lazily: a handler that sends nothing back costs nothing
}

// newHandlerContext returns the context of a call described by d, derived from parent.
func newHandlerContext(parent context.Context, d rpcinfo.Data) *handlerContext {
	return &handlerContext{CallContext: *rpcinfo.NewCallContext(parent, d)}
}

// Value returns the backward values' store for metainfo's key, and otherwise what the rpcinfo context
// returns.
func (c *handlerContext) Value(key any) any {
	if _, ok := key.(callctx.SendKey); ok {
		return &c.back
	}
	return c.CallContext.Value(key)
}

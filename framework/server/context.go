package server

import (
	"context"
	"fmt"

	"github.com/ternhq/tern/framework/internal/callctx"
	"github.com/ternhq/tern/framework/rpcinfo"
)

// handlerContext is the context a handler runs with: its parent (context.Background or the gRPC
// stream's context, with the metainfo received, if any), the call's rpcinfo and the store of backward
// values the handler sends, all in one allocation. It answers rpcinfo's and metainfo's keys itself;
// every other key, the deadline and cancellation are the parent's. It is made per call and never
// pooled, so handlers may keep it.
type handlerContext struct {
	context.Context
	info rpcinfo.Info
	back callctx.Backward // made lazily: a handler that sends nothing back costs nothing
}

// newHandlerContext returns the context of a call described by d, derived from parent.
func newHandlerContext(parent context.Context, d rpcinfo.Data) *handlerContext {
	// rpcinfo.New is inlined, so the Info it makes is copied into the context rather than allocated.
	return &handlerContext{Context: parent, info: *rpcinfo.New(d)}
}

// Value returns the call's *rpcinfo.Info for rpcinfo's key, the backward values' store for metainfo's,
// and the parent's value for any other key.
func (c *handlerContext) Value(key any) any {
	switch key.(type) {
	case callctx.InfoKey:
		return &c.info
	case callctx.SendKey:
		return &c.back
	}
	return c.Context.Value(key)
}

// String describes the context, as the context package's own types do.
func (c *handlerContext) String() string {
	return fmt.Sprintf("%v.WithCall(%s.%s)", c.Context, c.info.Callee().Service, c.info.Method())
}

// Package rpcinfo is the per-call view middleware and handlers read from their context: who calls whom,
// which method, over which protocol, with which timeout.
//
// An Info is immutable once made: the framework builds a new one rather than changing one a user may hold,
// so an Info can be kept or passed to other goroutines freely.
package rpcinfo

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/ternhq/tern/framework/transport"
)

// Peer is one end of a call.
type Peer struct {
	// Service is the service name: the caller's own name, or the callee's IDL service name.
	Service string
	// Method is the method being called (callee) or the method the caller is serving, if known.
	Method string
	// Addr is the peer's network address, when known.
	Addr net.Addr
}

// Data are the facts about one call, given to New.
type Data struct {
	Caller     Peer
	Callee     Peer
	SeqID      int32
	Protocol   transport.Protocol
	RPCTimeout time.Duration // zero: none
	Oneway     bool
}

// Info describes one call. The zero Info describes nothing; methods on a nil *Info return zero values.
type Info struct{ d Data }

// New returns an Info holding d.
func New(d Data) *Info { return &Info{d: d} }

// Caller is the calling side.
func (i *Info) Caller() Peer {
	if i == nil {
		return Peer{}
	}
	return i.d.Caller
}

// Callee is the called side; Callee().Method is the method called.
func (i *Info) Callee() Peer {
	if i == nil {
		return Peer{}
	}
	return i.d.Callee
}

// Method is the method called (Callee().Method).
func (i *Info) Method() string {
	if i == nil {
		return ""
	}
	return i.d.Callee.Method
}

// SeqID is the call's sequence id on its connection.
func (i *Info) SeqID() int32 {
	if i == nil {
		return 0
	}
	return i.d.SeqID
}

// Protocol is the transport protocol the call travels over.
func (i *Info) Protocol() transport.Protocol {
	if i == nil {
		return 0
	}
	return i.d.Protocol
}

// RPCTimeout is the call's timeout as the client set it (zero: none).
func (i *Info) RPCTimeout() time.Duration {
	if i == nil {
		return 0
	}
	return i.d.RPCTimeout
}

// Oneway reports whether the call is oneway (no reply).
func (i *Info) Oneway() bool { return i != nil && i.d.Oneway }

// Data returns a copy of the facts, to derive a changed Info with New.
func (i *Info) Data() Data {
	if i == nil {
		return Data{}
	}
	return i.d
}

type ctxKey struct{}

// NewContext returns ctx carrying info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// FromContext returns the call's Info, or nil outside a call.
func FromContext(ctx context.Context) *Info {
	i, _ := ctx.Value(ctxKey{}).(*Info)
	return i
}

// CallContext is a context carrying the Info of one call in the same allocation, where
// NewContext(ctx, New(d)) takes two: the client and the server build one per call. It answers
// FromContext itself; every other key, the deadline and cancellation are its parent's.
type CallContext struct {
	context.Context
	info Info
}

// NewCallContext returns a context for the call described by d, derived from parent. It is never
// pooled, so middleware and handlers may keep it.
func NewCallContext(parent context.Context, d Data) *CallContext {
	return &CallContext{Context: parent, info: Info{d: d}}
}

// Value returns the call's *Info for FromContext, and the parent's value for any other key.
func (c *CallContext) Value(key any) any {
	if _, ok := key.(ctxKey); ok {
		return &c.info
	}
	return c.Context.Value(key)
}

// String describes the context, as the context package's own types do.
func (c *CallContext) String() string {
	return fmt.Sprintf("%v.WithCall(%s.%s)", c.Context, c.info.Callee().Service, c.info.Method())
}

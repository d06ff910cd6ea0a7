// Package callopt holds per-call options: settings for one call that override the client's own.
// Generated clients take them as trailing arguments:
//
//	resp, err := cli.Echo(ctx, req, callopt.WithHostPort("10.0.0.7:8888"), callopt.WithRPCTimeout(time.Second))
package callopt

import (
	"context"
	"time"

	"github.com/ternhq/tern/framework/metadata"
)

// Option is one per-call setting.
type Option interface{ apply(*Options) }

type optionFunc func(*Options)

func (f optionFunc) apply(o *Options) { f(o) }

// Options are the per-call settings, as the client reads them.
type Options struct {
	// HostPort sends the call to this address instead of one the client picks.
	HostPort string
	// RPCTimeout overrides the client's RPC timeout when positive.
	RPCTimeout time.Duration
	// ConnectTimeout overrides the client's connect timeout when positive.
	ConnectTimeout time.Duration
	// HashKey is the key a consistent-hash load balancer places the call by.
	HashKey string
	// GRPCHeader and GRPCTrailer, when set, receive a gRPC call's response headers and trailers.
	GRPCHeader, GRPCTrailer *metadata.MD
}

// WithHostPort sends the call to hostport ("host:port"), bypassing address selection.
func WithHostPort(hostport string) Option {
	return optionFunc(func(o *Options) { o.HostPort = hostport })
}

// WithRPCTimeout sets the call's timeout, overriding the client's.
func WithRPCTimeout(d time.Duration) Option {
	return optionFunc(func(o *Options) { o.RPCTimeout = d })
}

// WithConnectTimeout sets the timeout for dialling a new connection for this call.
func WithConnectTimeout(d time.Duration) Option {
	return optionFunc(func(o *Options) { o.ConnectTimeout = d })
}

// WithHashKey places the call by key under a consistent-hash load balancer: calls with the same key go
// to the same instance while the instances stay the same.
func WithHashKey(key string) Option {
	return optionFunc(func(o *Options) { o.HashKey = key })
}

// WithGRPCHeader stores the response headers of a gRPC call in *md once the call returns (grpc-go's
// grpc.Header). To send request headers, use metadata.AppendToOutgoingContext.
func WithGRPCHeader(md *metadata.MD) Option {
	return optionFunc(func(o *Options) { o.GRPCHeader = md })
}

// WithGRPCTrailer stores the trailers of a gRPC call in *md once the call returns, failed or not
// (grpc-go's grpc.Trailer).
func WithGRPCTrailer(md *metadata.MD) Option {
	return optionFunc(func(o *Options) { o.GRPCTrailer = md })
}

type ctxKey struct{}

// NewContext returns ctx carrying opts for the next call made with it (ctx itself when opts is empty).
// Generated clients call it with their trailing options.
func NewContext(ctx context.Context, opts ...Option) context.Context {
	if len(opts) == 0 {
		return ctx
	}
	o := new(Options)
	if prev, ok := ctx.Value(ctxKey{}).(*Options); ok {
		*o = *prev
	}
	for _, opt := range opts {
		opt.apply(o)
	}
	return context.WithValue(ctx, ctxKey{}, o)
}

// FromContext returns the per-call options in ctx, and whether there were any.
func FromContext(ctx context.Context) (Options, bool) {
	if o, ok := ctx.Value(ctxKey{}).(*Options); ok {
		return *o, true
	}
	return Options{}, false
}

// Package endpoint defines the shape of a call as middleware sees it, and how middleware is chained.
//
// A client's chain ends in the transport call; a server's chain ends in the service handler. Middleware
// finds the call's method, peers and timeouts with rpcinfo.FromContext(ctx).
package endpoint

import "context"

// Endpoint performs one call: req is the encoded-to-be arguments, resp receives the result.
type Endpoint func(ctx context.Context, req, resp any) error

// Middleware wraps an Endpoint with behaviour of its own (logging, metrics, retries...).
type Middleware func(Endpoint) Endpoint

// Chain composes middleware so that the first one given is the outermost: Chain(a, b)(e) runs a, then b,
// then e.
func Chain(mws ...Middleware) Middleware {
	return func(next Endpoint) Endpoint {
		for i := len(mws) - 1; i >= 0; i-- {
			next = mws[i](next)
		}
		return next
	}
}

// Package limit holds the server's admission limits: a token bucket for requests per second, a
// concurrency limiter for calls (or connections) in flight, and Limits, which bundles the three limits a
// server enforces and turns rejections into errors the client understands.
//
// Every limiter is lock-free, does not allocate, and counts what it rejected (Rejected) so the server
// can report it. A limit of zero or less means no limit, so a zero Config limits nothing.
//
//	lim := limit.New(limit.Config{MaxConnections: 10000, QPS: 5000, MaxConcurrency: 100})
//	if err := lim.AcquireCall(); err != nil {
//		return err // rpcerr.CodeResourceExhausted: "server concurrency limit 100 reached"
//	}
//	defer lim.ReleaseCall()
package limit

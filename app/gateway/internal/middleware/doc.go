// Package middleware holds the gateway's Hertz middleware: request ids, access logs, panic recovery, a
// per-client rate limit and bearer-token authentication. Install them in the order of Chain's
// documentation (see package api).
package middleware

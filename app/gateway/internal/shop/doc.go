// Package shop is the gateway's logic between the HTTP API and the downstream services: browsing joins
// the catalogue (item) with stock levels (stock), and the cart operations and checkout go to the cart
// service for the signed-in user. It validates every input before calling anything, so bad input changes
// nothing, and reports failures as *Error values whose Code the API turns into an HTTP status.
//
// The downstream services are reached through Backend, an interface with one implementation over the
// generated RPC clients (package downstream) and fakes in tests.
package shop

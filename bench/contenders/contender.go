// Package contenders holds the RPC stacks the benchmark compares: Tern, Kitex, grpc-go and a raw
// netpoll echo. Each contender knows how to serve the echo service on a listener and how to call it;
// the harness (package harness) runs the two halves in separate processes and measures them.
package contenders

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"
)

// Config is what a contender's client needs to know about the run.
type Config struct {
	// Payload is the size in bytes of the message each call sends and gets back.
	Payload int
	// Concurrency is the number of workers calling at once; pooled clients keep this many idle
	// connections so that no call dials.
	Concurrency int
	// MuxConns is the number of connections multiplexed clients share.
	MuxConns int
}

// Contender is one RPC stack in one configuration.
type Contender struct {
	// Name identifies the contender on the command line and in the results.
	Name string
	// Desc says in a few words what runs (protocol, connections).
	Desc string
	// Group names the comparison the contender belongs to: "unary" or "bidi".
	Group string
	// Serve starts the echo server on ln and returns a function that stops it.
	Serve func(ln net.Listener) (stop func() error, err error)
	// Dial returns a client of the server at addr.
	Dial func(addr string, cfg Config) (Client, error)
}

// Client is a contender's client; its workers call concurrently.
type Client interface {
	// NewWorker returns a worker for one calling goroutine (for streams: one stream).
	NewWorker(ctx context.Context) (Worker, error)
	// Close releases the client's connections.
	Close() error
}

// Worker makes calls one after the other; it is used by one goroutine only.
type Worker interface {
	// Call makes one call (for streams: one message each way) and checks the reply.
	Call(ctx context.Context) error
	// Close ends the worker (for streams: the stream).
	Close() error
}

// Groups of contenders: unary echo calls, and ping-pong over bidirectional streams.
const (
	GroupUnary = "unary"
	GroupBidi  = "bidi"
)

var registry = map[string]*Contender{}

// order is the order of the default set: each Tern contender next to the one it is measured against.
var order = []string{
	"tern-thrift", "kitex-thrift",
	"tern-thrift-mux", "kitex-thrift-mux",
	"tern-kpb", "kitex-kpb",
	"tern-grpc", "kitex-grpc", "grpc-go",
	"netpoll-raw",
	"tern-grpc-bidi", "kitex-grpc-bidi", "grpc-go-bidi",
}

func register(c *Contender) {
	if _, dup := registry[c.Name]; dup {
		panic("contenders: " + c.Name + " registered twice")
	}
	registry[c.Name] = c
}

// All returns every contender, in the order of the default set.
func All() []*Contender {
	out := make([]*Contender, 0, len(order))
	for _, name := range order {
		out = append(out, registry[name])
	}
	return out
}

// Lookup returns the contender called name.
func Lookup(name string) (*Contender, error) {
	c, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("contenders: unknown contender %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return c, nil
}

// Names returns the names of all contenders, sorted.
func Names() []string {
	names := append([]string(nil), order...)
	sort.Strings(names)
	return names
}

// Parse turns a comma-separated list of names ("all" for every contender) into contenders.
func Parse(list string) ([]*Contender, error) {
	if list == "" || list == "all" {
		return All(), nil
	}
	var out []*Contender
	for _, name := range strings.Split(list, ",") {
		c, err := Lookup(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// connectTimeout bounds dialling in every client that has the setting (Tern's and Kitex's default,
// 50ms, is too short when a thousand workers open their connections at once on a busy machine).
const connectTimeout = 5 * time.Second

// errShortReply reports a reply that does not carry the payload back.
var errShortReply = errors.New("contenders: the reply does not echo the payload")

// checkEcho fails unless the reply has the payload's length.
func checkEcho(got, want int) error {
	if got != want {
		return fmt.Errorf("%w: got %d bytes, want %d", errShortReply, got, want)
	}
	return nil
}

// message returns a payload of n printable bytes (valid UTF-8, as protobuf strings must be).
func message(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[i%len(alphabet)]
	}
	return string(b)
}

// unaryClient adapts a client whose calls are safe for concurrent use: every worker shares it, with a
// request of its own made by newCall.
type unaryClient struct {
	newCall func() func(ctx context.Context) error
	close   func() error
}

// NewWorker returns a worker with a request of its own.
func (c *unaryClient) NewWorker(context.Context) (Worker, error) {
	return unaryWorker(c.newCall()), nil
}

// Close releases the client's connections.
func (c *unaryClient) Close() error { return c.close() }

type unaryWorker func(ctx context.Context) error

// Call makes one call.
func (w unaryWorker) Call(ctx context.Context) error { return w(ctx) }

// Close does nothing: the client owns the connections.
func (unaryWorker) Close() error { return nil }

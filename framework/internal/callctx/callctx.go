// Package callctx holds what packages metainfo and metadata keep in a call's context and other
// packages answer for: the keys they look their values up under, and the store of backward values.
// With the keys shared, the server's handler context (server/context.go) and the gRPC transport's
// stream context answer for them without a chain of context.WithValue layers.
package callctx

import "sync"

// SendKey is the context key of the *Backward a server handler adds the values it sends back to.
type SendKey struct{}

// ServerCallKey is the context key of a gRPC server call (a metadata.ServerCall).
type ServerCallKey struct{}

// RecvKey is the context key of the *Backward a client call collects the values its server sent into.
type RecvKey struct{}

// Backward holds values travelling from a server back to its caller. The zero value is ready to use
// and allocates nothing until a value is set. It is shared between the handler and the transport, so
// it carries a lock.
type Backward struct {
	mu sync.Mutex
	m  map[string]string
}

// Set stores k=v.
func (b *Backward) Set(k, v string) {
	b.mu.Lock()
	if b.m == nil {
		b.m = make(map[string]string)
	}
	b.m[k] = v
	b.mu.Unlock()
}

// Get returns the value of k.
func (b *Backward) Get(k string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[k]
	return v, ok
}

// All returns a copy of every value, or nil when there is none.
func (b *Backward) All() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.m) == 0 {
		return nil
	}
	m := make(map[string]string, len(b.m))
	for k, v := range b.m {
		m[k] = v
	}
	return m
}

// Range calls fn with every key and value, holding the lock.
func (b *Backward) Range(fn func(k, v string)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, v := range b.m {
		fn(k, v)
	}
}

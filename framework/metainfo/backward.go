package metainfo

import (
	"context"
	"strings"
	"sync"
)

// backward holds values travelling from a server back to its caller; it is shared and mutable, so it
// carries a lock.
type backward struct {
	mu sync.Mutex
	m  map[string]string
}

type (
	recvKey struct{}
	sendKey struct{}
)

func (b *backward) set(k, v string) {
	b.mu.Lock()
	if b.m == nil {
		b.m = make(map[string]string)
	}
	b.m[k] = v
	b.mu.Unlock()
}

func (b *backward) get(k string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[k]
	return v, ok
}

func (b *backward) all() map[string]string {
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

// WithBackwardValues returns a context in which a client call collects the backward values its server
// sends; read them after the call with RecvBackwardValue or RecvAllBackwardValues.
func WithBackwardValues(ctx context.Context) context.Context {
	if _, ok := ctx.Value(recvKey{}).(*backward); ok {
		return ctx
	}
	return context.WithValue(ctx, recvKey{}, &backward{})
}

// RecvBackwardValue returns a backward value received by a call made with ctx.
func RecvBackwardValue(ctx context.Context, k string) (string, bool) {
	if b, ok := ctx.Value(recvKey{}).(*backward); ok {
		return b.get(k)
	}
	return "", false
}

// RecvAllBackwardValues returns every backward value received by calls made with ctx.
func RecvAllBackwardValues(ctx context.Context) map[string]string {
	if b, ok := ctx.Value(recvKey{}).(*backward); ok {
		return b.all()
	}
	return nil
}

// Receiving reports whether a call made with ctx collects backward values (see WithBackwardValues), so
// that transports can skip the work when it does not.
func Receiving(ctx context.Context) bool {
	_, ok := ctx.Value(recvKey{}).(*backward)
	return ok
}

// SetReceivedBackward stores a backward value from a reply header; it reports whether ctx was prepared
// to receive it. It is meant for transports. Over TTHeader, Kitex sends backward values under their bare
// keys; a key with the RPC_BACKWARD_ prefix has it removed.
func SetReceivedBackward(ctx context.Context, key, value string) bool {
	key = strings.TrimPrefix(key, PrefixBackward)
	if key == "" || value == "" {
		return false
	}
	b, ok := ctx.Value(recvKey{}).(*backward)
	if !ok {
		return false
	}
	b.set(key, value)
	return true
}

// WithBackwardValuesToSend returns a context in which a server handler can send backward values; the
// server calls it for every call it handles.
func WithBackwardValuesToSend(ctx context.Context) context.Context {
	return context.WithValue(ctx, sendKey{}, &backward{})
}

// SendBackwardValue sends k=v back to the caller with the reply; it reports false when ctx is not a
// server handler's context or k or v is empty.
func SendBackwardValue(ctx context.Context, k, v string) bool {
	if k == "" || v == "" {
		return false
	}
	b, ok := ctx.Value(sendKey{}).(*backward)
	if !ok {
		return false
	}
	b.set(k, v)
	return true
}

// RangeBackwardToSend calls fn with the key and value of every backward value a handler sent. It is
// meant for transports writing the reply: over TTHeader the keys travel bare, as Kitex sends them.
func RangeBackwardToSend(ctx context.Context, fn func(key, value string)) {
	b, ok := ctx.Value(sendKey{}).(*backward)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, v := range b.m {
		fn(k, v)
	}
}

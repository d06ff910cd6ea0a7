package metainfo

import (
	"context"
	"strings"

	"github.com/ternhq/tern/framework/internal/callctx"
)

// backward is the store of backward values; server handler contexts may embed one (see package
// internal/callctx), so it lives there, with the context keys.
type backward = callctx.Backward

type (
	recvKey = callctx.RecvKey
	sendKey = callctx.SendKey
)

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
		return b.Get(k)
	}
	return "", false
}

// RecvAllBackwardValues returns every backward value received by calls made with ctx.
func RecvAllBackwardValues(ctx context.Context) map[string]string {
	if b, ok := ctx.Value(recvKey{}).(*backward); ok {
		return b.All()
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
	b.Set(key, value)
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
	b.Set(k, v)
	return true
}

// RangeBackwardToSend calls fn with the key and value of every backward value a handler sent. It is
// meant for transports writing the reply: over TTHeader the keys travel bare, as Kitex sends them.
func RangeBackwardToSend(ctx context.Context, fn func(key, value string)) {
	b, ok := ctx.Value(sendKey{}).(*backward)
	if !ok {
		return
	}
	b.Range(fn)
}

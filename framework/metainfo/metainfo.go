// Package metainfo carries string key-values alongside calls, compatible with Kitex's metainfo (package
// github.com/bytedance/gopkg/cloud/metainfo): the same kinds of value and the same wire keys, so values
// cross between Tern and Kitex services.
//
//   - Transient values (WithValue) reach the next service only. The server sees them with GetValue, but they
//     are not forwarded by that server's own calls.
//   - Persistent values (WithPersistentValue) travel with every call down the chain.
//   - Backward values go from a server back to its caller: the server calls SendBackwardValue, a client that
//     prepared its context with WithBackwardValues reads them after the call with RecvBackwardValue.
//
// On TTHeader a forward value travels as a string header whose key is the value's key with the prefix
// "RPC_TRANSIT_" or "RPC_PERSIST_"; a backward value travels in the reply under its bare key, as Kitex
// sends it. Over HTTP/2 the prefixes are lower case with dashes.
package metainfo

import (
	"context"
	"iter"
	"strings"
)

// Wire key prefixes.
const (
	PrefixTransient  = "RPC_TRANSIT_"
	PrefixPersistent = "RPC_PERSIST_"
	PrefixBackward   = "RPC_BACKWARD_"
)

type kv struct {
	wire  string // prefix + key
	value string
}

func (e kv) key(prefix string) string { return e.wire[len(prefix):] }

// node is the immutable set of values in a context; every change copies it.
type node struct {
	persistent []kv
	transient  []kv // set by this service; sent on its next call
	stale      []kv // transient values received from the caller; readable, never forwarded
}

type nodeKey struct{}

func getNode(ctx context.Context) *node {
	n, _ := ctx.Value(nodeKey{}).(*node)
	return n
}

func withNode(ctx context.Context, n *node) context.Context {
	return context.WithValue(ctx, nodeKey{}, n)
}

func (n *node) clone() *node {
	if n == nil {
		return &node{}
	}
	return &node{
		persistent: append([]kv(nil), n.persistent...),
		transient:  append([]kv(nil), n.transient...),
		stale:      append([]kv(nil), n.stale...),
	}
}

func find(list []kv, prefix, k string) (string, bool) {
	for _, e := range list {
		if e.key(prefix) == k {
			return e.value, true
		}
	}
	return "", false
}

func set(list []kv, prefix, k, v string) []kv {
	for i, e := range list {
		if e.key(prefix) == k {
			list[i].value = v
			return list
		}
	}
	return append(list, kv{wire: prefix + k, value: v})
}

func del(list []kv, prefix, k string) []kv {
	out := list[:0]
	for _, e := range list {
		if e.key(prefix) != k {
			out = append(out, e)
		}
	}
	return out
}

// WithValue returns a context carrying the transient value k=v for the next call. An empty key or value is
// ignored, as in Kitex.
func WithValue(ctx context.Context, k, v string) context.Context {
	if k == "" || v == "" {
		return ctx
	}
	n := getNode(ctx).clone()
	n.transient = set(n.transient, PrefixTransient, k, v)
	n.stale = del(n.stale, PrefixTransient, k)
	return withNode(ctx, n)
}

// GetValue returns the transient value for k: one set with WithValue, or one received from the caller.
func GetValue(ctx context.Context, k string) (string, bool) {
	n := getNode(ctx)
	if n == nil {
		return "", false
	}
	if v, ok := find(n.transient, PrefixTransient, k); ok {
		return v, true
	}
	return find(n.stale, PrefixTransient, k)
}

// DelValue returns a context without the transient value k.
func DelValue(ctx context.Context, k string) context.Context {
	n := getNode(ctx)
	if n == nil {
		return ctx
	}
	n = n.clone()
	n.transient = del(n.transient, PrefixTransient, k)
	n.stale = del(n.stale, PrefixTransient, k)
	return withNode(ctx, n)
}

// GetAllValues returns every transient value, received or set here; nil if there are none.
func GetAllValues(ctx context.Context) map[string]string {
	n := getNode(ctx)
	if n == nil || len(n.transient)+len(n.stale) == 0 {
		return nil
	}
	m := make(map[string]string, len(n.transient)+len(n.stale))
	for _, e := range n.stale {
		m[e.key(PrefixTransient)] = e.value
	}
	for _, e := range n.transient {
		m[e.key(PrefixTransient)] = e.value
	}
	return m
}

// WithPersistentValue returns a context carrying the persistent value k=v for every call down the chain.
// An empty key or value is ignored.
func WithPersistentValue(ctx context.Context, k, v string) context.Context {
	if k == "" || v == "" {
		return ctx
	}
	n := getNode(ctx).clone()
	n.persistent = set(n.persistent, PrefixPersistent, k, v)
	return withNode(ctx, n)
}

// GetPersistentValue returns the persistent value for k.
func GetPersistentValue(ctx context.Context, k string) (string, bool) {
	n := getNode(ctx)
	if n == nil {
		return "", false
	}
	return find(n.persistent, PrefixPersistent, k)
}

// DelPersistentValue returns a context without the persistent value k.
func DelPersistentValue(ctx context.Context, k string) context.Context {
	n := getNode(ctx)
	if n == nil {
		return ctx
	}
	n = n.clone()
	n.persistent = del(n.persistent, PrefixPersistent, k)
	return withNode(ctx, n)
}

// GetAllPersistentValues returns every persistent value; nil if there are none.
func GetAllPersistentValues(ctx context.Context) map[string]string {
	n := getNode(ctx)
	if n == nil || len(n.persistent) == 0 {
		return nil
	}
	m := make(map[string]string, len(n.persistent))
	for _, e := range n.persistent {
		m[e.key(PrefixPersistent)] = e.value
	}
	return m
}

// RangeOutgoing calls fn with the wire key and value of every value a call made with ctx sends: transient
// values set in this service and all persistent values. It stops when fn returns false. It is meant for
// transports and does not allocate.
func RangeOutgoing(ctx context.Context, fn func(wireKey, value string) bool) {
	n := getNode(ctx)
	if n == nil {
		return
	}
	for _, e := range n.transient {
		if !fn(e.wire, e.value) {
			return
		}
	}
	for _, e := range n.persistent {
		if !fn(e.wire, e.value) {
			return
		}
	}
}

// WithIncoming returns ctx with the values a server received from its caller: pairs holds wire keys and
// values (headers of any kind; those without a metainfo prefix are ignored). Received transient values are
// readable but not forwarded. Keys and values are copied. It returns ctx itself when pairs holds none.
func WithIncoming(ctx context.Context, pairs iter.Seq2[[]byte, []byte]) context.Context {
	var n *node
	for k, v := range pairs {
		key := string(k)
		switch {
		case strings.HasPrefix(key, PrefixTransient) && len(key) > len(PrefixTransient):
			if n == nil {
				n = getNode(ctx).clone()
			}
			n.stale = set(n.stale, PrefixTransient, key[len(PrefixTransient):], string(v))
		case strings.HasPrefix(key, PrefixPersistent) && len(key) > len(PrefixPersistent):
			if n == nil {
				n = getNode(ctx).clone()
			}
			n.persistent = set(n.persistent, PrefixPersistent, key[len(PrefixPersistent):], string(v))
		}
	}
	if n == nil {
		return ctx
	}
	return withNode(ctx, n)
}

// Package metadata holds the custom headers and trailers of gRPC calls: lower-case keys, each with one
// or more values. Values of keys ending in "-bin" are arbitrary bytes, base64-encoded on the wire.
//
// Metainfo values (package metainfo) travel in metadata too, under "rpc-transit-…" and "rpc-persist-…"
// keys; use metainfo for values that must cross Thrift and gRPC hops alike, and metadata for headers a
// gRPC peer expects by name.
package metadata

import "strings"

// MD is a call's headers or trailers.
type MD map[string][]string

// New returns metadata holding the pairs of kv (key, value, key, value …); it panics on an odd count.
func New(kv ...string) MD {
	if len(kv)%2 == 1 {
		panic("metadata: New with an odd number of strings")
	}
	md := make(MD, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		md.Append(kv[i], kv[i+1])
	}
	return md
}

// Get returns the first value of key, or "".
func (md MD) Get(key string) string {
	if v := md[strings.ToLower(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values returns every value of key.
func (md MD) Values(key string) []string { return md[strings.ToLower(key)] }

// Set replaces key's values.
func (md MD) Set(key string, values ...string) { md[strings.ToLower(key)] = values }

// Append adds values to key's.
func (md MD) Append(key string, values ...string) {
	k := strings.ToLower(key)
	md[k] = append(md[k], values...)
}

// Copy returns a deep copy of md.
func (md MD) Copy() MD {
	out := make(MD, len(md))
	for k, v := range md {
		out[k] = append([]string(nil), v...)
	}
	return out
}

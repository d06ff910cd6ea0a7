package grpc

import (
	"context"
	"encoding/base64"
	"strings"

	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/metainfo"
)

// Wire prefixes of metainfo keys over HTTP/2.
const (
	transitPrefix = "rpc-transit-"
	persistPrefix = "rpc-persist-"
)

// AppendOutgoingMetainfo adds ctx's outgoing metainfo values (transient and persistent) to md, under
// their HTTP/2 keys ("rpc-transit-…", "rpc-persist-…"), and returns md, allocated when nil and there
// is a value to add (a nil md stays nil when ctx carries none).
func AppendOutgoingMetainfo(ctx context.Context, md metadata.MD) metadata.MD {
	metainfo.RangeOutgoing(ctx, func(wireKey, value string) bool {
		if md == nil {
			md = metadata.MD{}
		}
		md.Append(strings.ReplaceAll(strings.ToLower(wireKey), "_", "-"), value)
		return true
	})
	return md
}

// WithIncomingMetainfo returns ctx carrying the metainfo values found in md, for a server handler; ctx
// itself when md has none (nothing is allocated then).
func WithIncomingMetainfo(ctx context.Context, md metadata.MD) context.Context {
	if !hasMetainfo(md) {
		return ctx
	}
	return metainfo.WithIncoming(ctx, func(yield func(k, v []byte) bool) {
		for k, vs := range md {
			if !isMetainfoKey(k) || len(vs) == 0 {
				continue
			}
			wire := strings.ToUpper(strings.ReplaceAll(k, "-", "_"))
			if !yield([]byte(wire), []byte(vs[0])) {
				return
			}
		}
	})
}

func isMetainfoKey(k string) bool {
	return strings.HasPrefix(k, transitPrefix) || strings.HasPrefix(k, persistPrefix)
}

func hasMetainfo(md metadata.MD) bool {
	for k := range md {
		if isMetainfoKey(k) {
			return true
		}
	}
	return false
}

// reservedHeader reports whether a header belongs to the transport rather than to the call's metadata.
func reservedHeader(k string) bool {
	if strings.HasPrefix(k, ":") {
		return true
	}
	switch k {
	case "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "grpc-status",
		"grpc-message", "connection", "host", "grpc-status-details-bin":
		return true
	}
	return false
}

// appendMetadata encodes md as header fields.
func appendMetadata(fields []hpack.HeaderField, md metadata.MD) []hpack.HeaderField {
	for k, vs := range md {
		k = strings.ToLower(k)
		if reservedHeader(k) {
			continue
		}
		bin := strings.HasSuffix(k, "-bin")
		for _, v := range vs {
			if bin {
				v = base64.RawStdEncoding.EncodeToString([]byte(v))
			}
			fields = append(fields, hpack.HeaderField{Name: k, Value: v})
		}
	}
	return fields
}

// addField adds a received header field to md, decoding "-bin" values; it reports false for a
// malformed binary value.
func addField(md metadata.MD, f hpack.HeaderField) bool {
	if reservedHeader(f.Name) {
		return true
	}
	v := f.Value
	if strings.HasSuffix(f.Name, "-bin") {
		b, err := decodeBin(v)
		if err != nil {
			return false
		}
		v = string(b)
	}
	md[f.Name] = append(md[f.Name], v)
	return true
}

func decodeBin(v string) ([]byte, error) {
	if len(v)%4 == 0 {
		return base64.StdEncoding.DecodeString(v)
	}
	return base64.RawStdEncoding.DecodeString(v)
}

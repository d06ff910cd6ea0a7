package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/ternhq/tern/framework/metainfo"
)

// HeaderRequestID is the header carrying a request's id, both ways.
const HeaderRequestID = "X-Request-ID"

// MetaRequestID is the persistent metainfo key under which the request id travels to every downstream
// service call.
const MetaRequestID = "REQUEST_ID"

// maxRequestIDLen bounds an id taken from a client.
const maxRequestIDLen = 128

type requestIDKey struct{}

// RequestID gives every request an id: the client's X-Request-ID when it is a sane token (1..128
// characters of letters, digits and "-_.:"), a new random one otherwise. The id is echoed in the
// response's X-Request-ID, kept on the request (RequestIDOf) and sent along downstream calls as
// persistent metainfo.
func RequestID() app.HandlerFunc {
	return func(ctx context.Context, c *app.RequestContext) {
		id := string(c.Request.Header.Peek(HeaderRequestID))
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Set(requestIDCtxKey, id)
		c.Response.Header.Set(HeaderRequestID, id)
		ctx = context.WithValue(ctx, requestIDKey{}, id)
		c.Next(metainfo.WithPersistentValue(ctx, MetaRequestID, id))
	}
}

// requestIDCtxKey is the key of the id among the request's values.
const requestIDCtxKey = "request_id"

// RequestIDOf returns the id RequestID gave the request, or "".
func RequestIDOf(c *app.RequestContext) string {
	return c.GetString(requestIDCtxKey)
}

// RequestIDFromContext returns the id RequestID put into the context handlers receive, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		case b == '-', b == '_', b == '.', b == ':':
		default:
			return false
		}
	}
	return true
}

// newRequestID returns 16 random bytes in hex.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

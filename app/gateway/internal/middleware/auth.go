package middleware

import (
	"context"
	"net/http"
	"strings"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
	"github.com/ternhq/tern/app/gateway/internal/auth"
)

// userCtxKey is the key of the verified claims among the request's values.
const userCtxKey = "auth_claims"

// RequireAuth lets a request through only with a valid "Authorization: Bearer <token>" header; others
// get 401 with a WWW-Authenticate challenge. The token's claims are then available from UserOf.
func RequireAuth(signer *auth.Signer) app.HandlerFunc {
	return func(ctx context.Context, c *app.RequestContext) {
		token, ok := bearer(string(c.Request.Header.Peek("Authorization")))
		if !ok {
			deny(ctx, c, "missing bearer token: send Authorization: Bearer <token> from POST /api/v1/login")
			return
		}
		claims, err := signer.Verify(token)
		if err != nil {
			deny(ctx, c, "invalid or expired token; log in again")
			return
		}
		c.Set(userCtxKey, claims)
		c.Next(ctx)
	}
}

// UserOf returns the claims of the request's verified token.
func UserOf(c *app.RequestContext) (auth.Claims, bool) {
	v, ok := c.Get(userCtxKey)
	if !ok {
		return auth.Claims{}, false
	}
	claims, ok := v.(auth.Claims)
	return claims, ok
}

// bearer extracts the token of an Authorization header value; the scheme is case-insensitive.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func deny(ctx context.Context, c *app.RequestContext, msg string) {
	c.Response.Header.Set("WWW-Authenticate", `Bearer realm="tern"`)
	apierr.Write(ctx, c, http.StatusUnauthorized, apierr.CodeUnauthenticated, msg)
}

package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
)

// Recovery turns a panic in a later handler into a 500 with the JSON error body, logging the panic
// value and stack at error level with the request id. The server keeps serving.
func Recovery(log *slog.Logger) app.HandlerFunc {
	return func(ctx context.Context, c *app.RequestContext) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			log.ErrorContext(ctx, "panic serving a request",
				"panic", fmt.Sprint(v), "request_id", RequestIDOf(c),
				"method", string(c.Method()), "path", string(c.Path()), "stack", string(debug.Stack()))
			apierr.Write(ctx, c, http.StatusInternalServerError, apierr.CodeInternal, "internal error")
		}()
		c.Next(ctx)
	}
}

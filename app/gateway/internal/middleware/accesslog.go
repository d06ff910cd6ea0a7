package middleware

import (
	"context"
	"log/slog"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
)

// AccessLog logs one line per request at info level (warn for 5xx) once it is answered: method, path,
// status, response size, duration, client address, request id and, when signed in, the user id.
func AccessLog(log *slog.Logger) app.HandlerFunc {
	return func(ctx context.Context, c *app.RequestContext) {
		start := time.Now()
		c.Next(ctx)
		status := c.Response.StatusCode()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{
			slog.String("method", string(c.Method())),
			slog.String("path", string(c.Path())),
			slog.Int("status", status),
			slog.Int("bytes", len(c.Response.Body())),
			slog.Duration("duration", time.Since(start)),
			slog.String("client", clientKey(c)),
			slog.String("request_id", RequestIDOf(c)),
		}
		if u, ok := UserOf(c); ok {
			attrs = append(attrs, slog.Int64("user_id", u.UserID))
		}
		log.LogAttrs(ctx, level, "http request", attrs...)
	}
}

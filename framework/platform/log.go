package platform

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	ternotel "github.com/ternhq/tern/framework/contrib/otel"
)

// NewLogger returns a slog logger writing to w in cfg's format at cfg's level, every record carrying
// the service's name and environment, and the trace_id and span_id of the span in its context (log
// with slog.InfoContext and the like).
func NewLogger(w io.Writer, cfg *Config) (*slog.Logger, error) {
	level, err := parseLevel(cfg.Log.Level)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch cfg.Log.Format {
	case "json":
		h = slog.NewJSONHandler(w, opts)
	case "text", "":
		h = slog.NewTextHandler(w, opts)
	default:
		return nil, fmt.Errorf("log format %q is neither text nor json", cfg.Log.Format)
	}
	return slog.New(ternotel.NewLogHandler(h)).With("service", cfg.Service, "env", cfg.Env), nil
}

// parseLevel parses debug, info, warn or error (any case).
func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return 0, fmt.Errorf("level %q is not debug, info, warn or error", s)
	}
	return l, nil
}

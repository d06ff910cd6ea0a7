package otel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/ternhq/tern/framework/client"
	ternotel "github.com/ternhq/tern/framework/contrib/otel"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/server"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) records(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(s.b.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// loggingHandler logs inside Echo with the call's context.
type loggingHandler struct {
	*echotest.Handler
	log *slog.Logger
}

func (h *loggingHandler) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	h.log.InfoContext(ctx, "echoing", "message", req.Message)
	return h.Handler.Echo(ctx, req)
}

// TestLogCarriesTraceID: a record logged inside a handler carries the trace and span ids of that
// call's server span.
func TestLogCarriesTraceID(t *testing.T) {
	r := newRecording(t)
	var buf syncBuffer
	log := slog.New(ternotel.NewLogHandler(slog.NewJSONHandler(&buf, nil))).With("service", "echo")
	_, addr := echotest.StartHandler(t, &loggingHandler{Handler: echotest.NewHandler(), log: log}, server.WithTracer(r.tracer))
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTracer(r.tracer))
	defer cli.Close()
	if _, err := cli.Echo(testContext(t), &echo.Request{Message: "m"}); err != nil {
		t.Fatal(err)
	}
	var serverSpan trace.SpanContext
	for _, s := range r.ended(t, 2) {
		if s.SpanKind() == trace.SpanKindServer {
			serverSpan = s.SpanContext()
		}
	}
	recs := buf.records(t)
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	want := map[string]string{"msg": "echoing", "service": "echo",
		"trace_id": serverSpan.TraceID().String(), "span_id": serverSpan.SpanID().String()}
	for k, v := range want {
		if recs[0][k] != v {
			t.Errorf("record %s = %v, want %s", k, recs[0][k], v)
		}
	}
}

// TestLogHandler: records without a span pass unchanged; groups and attributes keep the wrapper.
func TestLogHandler(t *testing.T) {
	r := newRecording(t)
	spanCtx, span := r.tp.Tracer("test").Start(testContext(t), "s")
	defer span.End()
	cases := []struct {
		name    string
		ctx     context.Context
		log     func(*slog.Logger) *slog.Logger
		wantIDs bool
	}{
		{"no span", testContext(t), func(l *slog.Logger) *slog.Logger { return l }, false},
		{"span", spanCtx, func(l *slog.Logger) *slog.Logger { return l }, true},
		{"span, with attrs", spanCtx, func(l *slog.Logger) *slog.Logger { return l.With("k", "v") }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf syncBuffer
			log := c.log(slog.New(ternotel.NewLogHandler(slog.NewJSONHandler(&buf, nil))))
			log.InfoContext(c.ctx, "hello")
			rec := buf.records(t)[0]
			if _, ok := rec["trace_id"]; ok != c.wantIDs {
				t.Fatalf("record %v: trace_id present %v, want %v", rec, ok, c.wantIDs)
			}
			if c.wantIDs && rec["trace_id"] != span.SpanContext().TraceID().String() {
				t.Fatalf("trace_id %v, want %s", rec["trace_id"], span.SpanContext().TraceID())
			}
		})
	}
	var buf syncBuffer
	slog.New(ternotel.NewLogHandler(slog.NewJSONHandler(&buf, nil))).WithGroup("g").InfoContext(spanCtx, "grouped", "a", 1)
	if g, ok := buf.records(t)[0]["g"].(map[string]any); !ok || g["trace_id"] == nil {
		t.Fatalf("grouped record lost the ids: %v", buf.records(t)[0])
	}
}

// Package echotest is the test double for testdata/echo.thrift: a handler with the behaviour the IDL
// documents, and helpers that start a loopback server for end-to-end tests.
package echotest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/internal/gen/echo/greeterservice"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/server"
)

// Handler implements echo.Echo and echo.Greeter.
type Handler struct {
	notify chan *echo.Request
	// Deadlines receives the handler context's deadline of every Echo call, when set.
	Deadlines chan time.Time
	// Started counts Echo calls that reached the handler.
	Started atomic.Int64
}

// NewHandler returns a Handler.
func NewHandler() *Handler {
	return &Handler{notify: make(chan *echo.Request, 1024), Deadlines: make(chan time.Time, 1024)}
}

// Echo answers with the request's message and the metainfo values it asks for; it sleeps, fails or
// panics when asked to.
func (h *Handler) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	h.Started.Add(1)
	if dl, ok := ctx.Deadline(); ok {
		select {
		case h.Deadlines <- dl:
		default:
		}
	}
	if req.DelayMs > 0 {
		select {
		case <-time.After(time.Duration(req.DelayMs) * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if req.Panic {
		panic("echo handler asked to panic")
	}
	if req.Fail {
		return nil, &echo.EchoError{Code: 7, Message: "failed: " + req.Message}
	}
	resp := &echo.Response{Message: req.Message}
	for _, k := range req.MetaKeys {
		if resp.Meta == nil {
			resp.Meta = map[string]string{}
		}
		if v, ok := metainfo.GetValue(ctx, k); ok {
			resp.Meta["t."+k] = v
		}
		if v, ok := metainfo.GetPersistentValue(ctx, k); ok {
			resp.Meta["p."+k] = v
		}
	}
	metainfo.SendBackwardValue(ctx, "echoed", req.Message)
	return resp, nil
}

// Notify records the request.
func (h *Handler) Notify(ctx context.Context, req *echo.Request) error {
	h.notify <- req
	return nil
}

// WaitNotify returns the next request Notify received, or nil after timeout.
func (h *Handler) WaitNotify(timeout time.Duration) *echo.Request {
	select {
	case r := <-h.notify:
		return r
	case <-time.After(timeout):
		return nil
	}
}

// Hello greets name.
func (h *Handler) Hello(ctx context.Context, name string) (string, error) {
	return "hello, " + name, nil
}

// QuietLogger discards everything, for tests that provoke errors on purpose.
func QuietLogger() *slog.Logger {
	if os.Getenv("TERN_TEST_LOGS") != "" {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// StartServer starts a server hosting Echo and Greeter on a free loopback port and stops it when the
// test ends. It returns the server, its address and the handler.
func StartServer(t testing.TB, opts ...server.Option) (*server.Server, string, *Handler) {
	t.Helper()
	h := NewHandler()
	svr, addr := StartHandler(t, h, opts...)
	return svr, addr, h
}

// Service is what StartHandler serves: both test services.
type Service interface {
	echo.Echo
	echo.Greeter
}

// StartHandler starts a server hosting Echo and Greeter implemented by h on a free loopback port (or on
// a listener given with server.WithListener) and stops it when the test ends.
func StartHandler(t testing.TB, h Service, opts ...server.Option) (*server.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	opts = append([]server.Option{server.WithListener(ln), server.WithLogger(QuietLogger()),
		server.WithExitWaitTime(2 * time.Second)}, opts...)
	svr := server.NewServer(opts...)
	if err := registerThrift(svr, h); err != nil {
		t.Fatal(err)
	}
	if err := svr.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		_ = svr.Stop()
		_ = ln.Close() // unused when the options named another listener
	})
	return svr, svr.Addr().String()
}

// registerThrift registers Echo and Greeter implemented by h.
func registerThrift(svr *server.Server, h Service) error {
	if err := echoservice.RegisterService(svr, h); err != nil {
		return err
	}
	return greeterservice.RegisterService(svr, h)
}

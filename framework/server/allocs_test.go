package server_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/server"
)

// plainEcho answers Echo with the request's message and nothing else, as the benchmark's service does.
type plainEcho struct{}

func (plainEcho) Echo(_ context.Context, req *echo.Request) (*echo.Response, error) {
	return &echo.Response{Message: req.Message}, nil
}

func (plainEcho) Notify(context.Context, *echo.Request) error { return nil }

// serveAllocs is what serving a pooled TTHeader Echo call allocates, besides the transport: the
// arguments, the request, its message string, the handler's context, the result and the handler's
// response.
const serveAllocs = 6

func TestServeAllocations(t *testing.T) {
	cases := []struct {
		name       string
		outOfOrder bool
	}{
		{"pooled", false},
		{"multiplexed", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svr := server.NewServer(server.WithLogger(echotest.QuietLogger()))
			if err := echoservice.RegisterService(svr, plainEcho{}); err != nil {
				t.Fatal(err)
			}
			tc := &memConn{}
			msg := strings.Repeat("x", 1024)
			tc.push(echoRequest(7, msg, c.outOfOrder))
			onRead, _, err := server.ServeConnForTest(svr, tc)
			if err != nil {
				t.Fatal(err)
			}
			serve := func() {
				tc.rewind()
				flushed := tc.flushes.Load()
				if err := onRead(); err != nil {
					t.Fatal(err)
				}
				for tc.flushes.Load() == flushed { // a multiplexed call replies from another goroutine
					runtime.Gosched()
				}
			}
			serve()
			got, err := readReplies(tc.written())
			if err != nil || len(got) != 1 || got[7] != msg {
				t.Fatalf("reply: %d messages, seq 7 ok: %v, error %v", len(got), got[7] == msg, err)
			}
			if raceEnabled {
				t.Skip("the race detector makes sync.Pool drop items")
			}
			allocs := testing.AllocsPerRun(200, func() {
				serve()
				tc.discard()
			})
			if allocs > serveAllocs {
				t.Errorf("serving one call allocates %.1f times, want at most %d", allocs, serveAllocs)
			}
		})
	}
}

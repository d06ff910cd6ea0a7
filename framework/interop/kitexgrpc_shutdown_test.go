package interop_test

import (
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb/echoservice"
	"github.com/ternhq/tern/framework/server"
)

// TestTernGracefulStopKitexClients: a Tern server stopping gracefully lets the calls a Kitex client has
// in flight finish — over gRPC (GOAWAY, then the connection drains) and over Kitex Protobuf — and Stop
// returns once they have, well within the exit wait time.
func TestTernGracefulStopKitexClients(t *testing.T) {
	for _, v := range []kitexpeer.PBVariant{kitexpeer.PBGRPC, kitexpeer.PBTTHeader} {
		t.Run(v.String(), func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			svr := echoservice.NewServer(ternPBHandler{}, server.WithListener(ln),
				server.WithLogger(echotest.QuietLogger()), server.WithExitWaitTime(3*time.Second))
			if err := svr.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = svr.Stop() })
			c := newKitexPBClient(t, ln.Addr().String(), v)
			ctx := testContext(t)
			if _, err := c.Echo(ctx, &echopb.Request{Message: "warm"}); err != nil {
				t.Fatalf("first call: %v", err)
			}
			type result struct {
				resp *echopb.Response
				err  error
			}
			done := make(chan result, 1)
			go func() {
				resp, err := c.Echo(ctx, &echopb.Request{Message: "slow", DelayMs: 300})
				done <- result{resp, err}
			}()
			time.Sleep(100 * time.Millisecond) // the slow call is in the handler
			start := time.Now()
			if err := svr.Stop(); err != nil {
				t.Errorf("Stop: %v", err)
			}
			stopped := time.Since(start)
			r := <-done
			if r.err != nil || r.resp.GetMessage() != "slow" {
				t.Errorf("the call in flight during Stop = %v, %v; want it answered", r.resp, r.err)
			}
			if stopped < 100*time.Millisecond || stopped > 2*time.Second {
				t.Errorf("Stop took %v, want it to wait for the call in flight (about 200ms) and no longer", stopped)
			}
			if _, err := c.Echo(ctx, &echopb.Request{Message: "after"}); err == nil {
				t.Error("a call after Stop succeeded")
			}
		})
	}
}

package grpcinterop_test

import (
	"sync/atomic"
	"testing"

	ggrpc "google.golang.org/grpc"

	tgrpc "github.com/ternhq/tern/framework/transport/grpc"
)

// peakHandlers wraps the streaming handlers to record the most calls running at once in peak.
func peakHandlers(peak *atomic.Int32) map[string]func(s msgStream) error {
	var running atomic.Int32
	out := map[string]func(s msgStream) error{}
	for name, h := range handlers(nil) {
		out[name] = func(s msgStream) error {
			n := running.Add(1)
			defer running.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			return h(s)
		}
	}
	return out
}

// TestStreamLimits checks that each client honours the other server's SETTINGS_MAX_CONCURRENT_STREAMS:
// 40 streams through a limit of 4 all succeed, never more than 4 at once.
func TestStreamLimits(t *testing.T) {
	const limit = 4
	tests := []struct {
		name  string
		start func(t *testing.T, peak *atomic.Int32) opener
	}{
		{"Tern client, grpc-go server", func(t *testing.T, peak *atomic.Int32) opener {
			addr := serveGoHandlers(t, peakHandlers(peak), ggrpc.MaxConcurrentStreams(limit))
			return ternOpener(ternDial(t, addr, false))
		}},
		{"grpc-go client, Tern server", func(t *testing.T, peak *atomic.Int32) opener {
			cfg := tgrpc.DefaultConfig()
			cfg.MaxConcurrentStreams = limit
			addr := serveTernHandlers(t, peakHandlers(peak), cfg, new(atomic.Int32))
			return goOpener(grpcGoClient(t, addr))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var peak atomic.Int32
			open := tt.start(t, &peak)
			ctx := testCtx(t)
			concurrent(t, 40, func(i int) error {
				cs, err := open(ctx, streamEcho)
				if err != nil {
					return err
				}
				return echoTwice(cs, i)
			})
			if p := peak.Load(); p < 1 || p > limit {
				t.Fatalf("peak concurrent calls %d, want 1..%d", p, limit)
			}
		})
	}
}

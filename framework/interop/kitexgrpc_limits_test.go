package interop_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/rpcerr"
)

// TestGRPCMessageTooLarge: both sides bound a received message at 4 MiB by default (Kitex's
// MaxRecvMsgSize, Tern's grpc.Config.MaxRecvMsgSize); a larger request fails with RESOURCE_EXHAUSTED
// and the connection goes on serving.
func TestGRPCMessageTooLarge(t *testing.T) {
	big := &echopb.Request{Message: "big", Payload: largePayload(5 << 20)}
	t.Run("tern_to_kitex", func(t *testing.T) {
		c := newTernGRPCClient(t, sharedKitexPBServer(t, "grpc").Addr())
		ctx := testContext(t)
		resp, err := c.Echo(ctx, big)
		if code := rpcerr.CodeOf(err); code != rpcerr.CodeResourceExhausted {
			t.Errorf("Echo(5 MiB) = %v, %v (code %v); want resource_exhausted", resp, err, code)
		}
		if resp, err := c.Echo(ctx, &echopb.Request{Message: "after"}); err != nil || resp.GetMessage() != "after" {
			t.Errorf("Echo after the refused request = %v, %v", resp, err)
		}
	})
	t.Run("kitex_to_tern", func(t *testing.T) {
		c := newKitexPBClient(t, startTernPBServer(t), kitexpeer.PBGRPC)
		ctx := testContext(t)
		resp, err := c.Echo(ctx, big)
		if code, msg, ok := kitexpeer.GRPCStatus(err); !ok || code != uint32(rpcerr.CodeResourceExhausted) {
			t.Errorf("Echo(5 MiB) = %v, %T %v (status %d %q); want RESOURCE_EXHAUSTED", resp, err, err, code, msg)
		}
		if resp, err := c.Echo(ctx, &echopb.Request{Message: "after"}); err != nil || resp.GetMessage() != "after" {
			t.Errorf("Echo after the refused request = %v, %v", resp, err)
		}
	})
}

// TestKitexMixedProtocolsOnePort: Kitex clients speaking Kitex Protobuf over TTHeader+Framed, over
// Framed and gRPC call one Tern port at the same time.
func TestKitexMixedProtocolsOnePort(t *testing.T) {
	addr := startTernPBServer(t)
	clients := []*kitexpeer.PBClient{
		newKitexPBClient(t, addr, kitexpeer.PBTTHeader),
		newKitexPBClient(t, addr, kitexpeer.PBFramed),
		newKitexPBClient(t, addr, kitexpeer.PBGRPC),
	}
	ctx := testContext(t)
	const perClient = 40
	var wg sync.WaitGroup
	errs := make(chan error, len(clients)*perClient)
	for _, c := range clients {
		for i := range perClient {
			wg.Go(func() {
				msg := fmt.Sprintf("%s-%d", c.Variant(), i)
				resp, err := c.Echo(ctx, &echopb.Request{Message: msg, Payload: largePayload(i * 512)})
				switch {
				case err != nil:
					errs <- fmt.Errorf("%s: %w", msg, err)
				case resp.GetMessage() != msg || len(resp.GetPayload()) != i*512:
					errs <- fmt.Errorf("%s: got %q with %d payload bytes", msg, resp.GetMessage(), len(resp.GetPayload()))
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if err := errors.Join(all...); err != nil {
		t.Errorf("%d of %d calls failed:\n%v", len(all), len(clients)*perClient, err)
	}
}

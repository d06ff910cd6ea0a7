package kitexpeer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/pkg/kerrors"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newClient(t *testing.T, addr string, v kitexpeer.Variant, opts ...client.Option) *kitexpeer.Client {
	t.Helper()
	c, err := kitexpeer.NewClient(addr, v, opts...)
	if err != nil {
		t.Fatalf("NewClient(%s): %v", v, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// One server takes every variant: Kitex detects the protocol per connection.
func TestKitexToKitex(t *testing.T) {
	srv := kitexpeer.StartServer(t, "")
	for _, v := range kitexpeer.Variants {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			c := newClient(t, srv.Addr(), v)
			t.Run("PingPong", func(t *testing.T) { testPingPong(t, c) })
			t.Run("DeclaredException", func(t *testing.T) { testDeclaredException(t, c) })
			t.Run("Panic", func(t *testing.T) { testPanic(t, c) })
			t.Run("Metainfo", func(t *testing.T) { testMetainfo(t, c) })
			t.Run("UnknownMethod", func(t *testing.T) { testUnknownMethod(t, srv.Addr(), v) })
		})
	}
}

func testPingPong(t *testing.T, c *kitexpeer.Client) {
	ctx := testContext(t)
	resp, err := c.Echo(ctx, map[string]any{"message": "hello " + c.Variant().String()})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if got, want := resp["message"], "hello "+c.Variant().String(); got != want {
		t.Errorf("message = %v, want %q", got, want)
	}
	if meta, ok := resp["meta"].(map[string]any); !ok || len(meta) != 0 {
		t.Errorf("meta = %#v, want an empty map", resp["meta"])
	}
}

func testDeclaredException(t *testing.T, c *kitexpeer.Client) {
	ctx := testContext(t)
	_, err := c.Echo(ctx, map[string]any{"message": "boom", "fail": true})
	if err == nil {
		t.Fatal("Echo with fail=true succeeded")
	}
	ee, ok := kitexpeer.AsEchoError(err)
	if !ok {
		t.Fatalf("AsEchoError(%v) failed", err)
	}
	if ee.Code != kitexpeer.EchoErrorCode || ee.Message != "failed: boom" {
		t.Errorf("EchoError = %+v, want code 7, message \"failed: boom\"", ee)
	}
	// How Kitex's generic client reports a declared exception: a *kerrors.DetailedError
	// (ErrRemoteOrNetwork) around a TransError of type 7 (protocol error) with the fields as text.
	var de *kerrors.DetailedError
	if !errors.As(err, &de) || !errors.Is(err, kerrors.ErrRemoteOrNetwork) {
		t.Errorf("error %T %v is not a DetailedError wrapping ErrRemoteOrNetwork", err, err)
	}
	if typ, ok := kitexpeer.TransErrorType(err); !ok || typ != 7 {
		t.Errorf("TransErrorType = %d, %v; want 7 (protocol error)", typ, ok)
	}
	t.Logf("%s: %T %q", c.Variant(), err, err)
}

func testPanic(t *testing.T, c *kitexpeer.Client) {
	ctx := testContext(t)
	_, err := c.Echo(ctx, map[string]any{"message": "x", "panic": true})
	if typ, ok := kitexpeer.TransErrorType(err); !ok || typ != 6 {
		t.Errorf("TransErrorType(%v) = %d, %v; want 6 (internal error)", err, typ, ok)
	}
	if err == nil || !strings.Contains(err.Error(), "panic: [happened in biz handler, method=Echo.Echo") {
		t.Errorf("error = %v, want Kitex's biz-handler panic text", err)
	}
	// The connection survives a handler panic.
	if _, err := c.Echo(ctx, map[string]any{"message": "after"}); err != nil {
		t.Errorf("Echo after panic: %v", err)
	}
}

func testMetainfo(t *testing.T, c *kitexpeer.Client) {
	ctx := testContext(t)
	ctx = metainfo.WithValue(ctx, "trace", "t-val")
	ctx = metainfo.WithPersistentValue(ctx, "tenant", "p-val")
	resp, err := c.Echo(ctx, map[string]any{"message": "m", "meta_keys": []string{"trace", "tenant", "absent"}})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	meta, _ := resp["meta"].(map[string]any)
	want := map[string]any{}
	if c.Variant().HasTTHeader() { // metainfo rides TTHeader string keys; Framed and Buffered drop it
		want = map[string]any{"t.trace": "t-val", "p.tenant": "p-val"}
	}
	if len(meta) != len(want) {
		t.Fatalf("meta = %v, want %v", meta, want)
	}
	for k, v := range want {
		if meta[k] != v {
			t.Errorf("meta[%q] = %v, want %v", k, meta[k], v)
		}
	}
}

// Unknown methods: over TTHeader the request names the IDL service (isn), so Kitex finds the service
// and answers "unknown method" (1); without it Kitex finds no service by method name and answers
// "unknown service" (20).
func testUnknownMethod(t *testing.T, addr string, v kitexpeer.Variant) {
	ctx := testContext(t)
	c, err := kitexpeer.NewMissingClient(addr, v)
	if err != nil {
		t.Fatalf("NewMissingClient: %v", err)
	}
	defer c.Close()
	err = c.CallMissing(ctx, map[string]any{"message": "?"})
	wantType, wantMsg := int32(20), "unknown service , method Missing"
	if v.HasTTHeader() {
		wantType, wantMsg = 1, "unknown method Missing (service Echo)"
	}
	typ, ok := kitexpeer.TransErrorType(err)
	if !ok || typ != wantType {
		t.Errorf("TransErrorType(%v) = %d, %v; want %d", err, typ, ok, wantType)
	}
	if !errors.Is(err, kerrors.ErrRemoteOrNetwork) || !strings.HasSuffix(err.Error(), ": "+wantMsg) {
		t.Errorf("error = %q, want remote error ending %q", err, wantMsg)
	}
}

func TestOneway(t *testing.T) {
	srv := kitexpeer.StartServer(t, "")
	for _, v := range kitexpeer.Variants {
		t.Run(v.String(), func(t *testing.T) {
			ctx := testContext(t)
			c := newClient(t, srv.Addr(), v)
			if err := c.Notify(ctx, map[string]any{"message": "note " + v.String()}); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			req, err := srv.WaitNotify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := req["message"], "note "+v.String(); got != want {
				t.Errorf("notified message = %v, want %q", got, want)
			}
		})
	}
}

func TestDelayAndTimeout(t *testing.T) {
	srv := kitexpeer.StartServer(t, "")
	ctx := testContext(t)
	c := newClient(t, srv.Addr(), kitexpeer.TTHeader, client.WithRPCTimeout(100*time.Millisecond))
	start := time.Now()
	if _, err := c.Echo(ctx, map[string]any{"message": "slow", "delay_ms": 30}); err != nil {
		t.Fatalf("Echo with delay 30ms: %v", err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("Echo with delay 30ms took %v", d)
	}
	_, err := c.Echo(ctx, map[string]any{"message": "slower", "delay_ms": 500})
	if !errors.Is(err, kerrors.ErrRPCTimeout) {
		t.Errorf("Echo with delay 500ms and timeout 100ms: %v, want ErrRPCTimeout", err)
	}
}

func TestStopIsIdempotent(t *testing.T) {
	srv, err := kitexpeer.NewServer("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	c := newClient(t, srv.Addr(), kitexpeer.Framed)
	if _, err := c.Echo(ctx, map[string]any{"message": "x"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	start := time.Now()
	if err := srv.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	t.Logf("Stop took %v", time.Since(start))
}

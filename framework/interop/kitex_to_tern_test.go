package interop_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/pkg/kerrors"

	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
)

// TestKitexClientTernServer calls a Tern server (echotest's handler) from Kitex v0.16.3 generic clients
// in each transport variant. Each variant gets a server of its own, so that Notify requests cannot cross.
func TestKitexClientTernServer(t *testing.T) {
	for _, v := range kitexpeer.Variants {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			_, addr, h := echotest.StartServer(t)
			c := newKitexClient(t, addr, v)
			t.Run("PingPong", func(t *testing.T) { kitexPingPong(t, c) })
			t.Run("Oneway", func(t *testing.T) { kitexOneway(t, c, h) })
			t.Run("DeclaredException", func(t *testing.T) { kitexDeclaredException(t, c) })
			t.Run("UnknownMethod", func(t *testing.T) { kitexUnknownMethod(t, addr, v) })
			t.Run("Metainfo", func(t *testing.T) { kitexMetainfo(t, c) })
			t.Run("BackwardMetainfo", func(t *testing.T) { kitexBackward(t, c) })
			t.Run("Panic", func(t *testing.T) { kitexPanic(t, addr, c) })
		})
	}
}

func kitexPingPong(t *testing.T, c *kitexpeer.Client) {
	ctx := testContext(t)
	for i, msg := range []string{"hello " + c.Variant().String(), "", "second call, same connection"} {
		resp, err := c.Echo(ctx, map[string]any{"message": msg})
		if err != nil {
			t.Fatalf("call %d: Echo: %v", i, err)
		}
		if got := resp["message"]; got != msg {
			t.Errorf("call %d: message = %#v, want %q", i, got, msg)
		}
		if meta := metaOf(t, resp); len(meta) != 0 {
			t.Errorf("call %d: meta = %v, want empty", i, meta)
		}
	}
}

func kitexOneway(t *testing.T, c *kitexpeer.Client, h *echotest.Handler) {
	ctx := testContext(t)
	msg := "notify " + c.Variant().String()
	if err := c.Notify(ctx, map[string]any{"message": msg, "delay_ms": 3}); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	req := h.WaitNotify(5 * time.Second)
	if req == nil {
		t.Fatal("the Tern handler got no Notify call")
	}
	if req.Message != msg || req.DelayMs != 3 {
		t.Errorf("Notify request = %+v, want message %q, delay_ms 3", req, msg)
	}
	// No reply was written for the oneway call: the next two-way call on the same client reads its
	// own reply, not a stray one.
	resp, err := c.Echo(ctx, map[string]any{"message": "after notify"})
	if err != nil || resp["message"] != "after notify" {
		t.Errorf("Echo after Notify = %v, %v", resp, err)
	}
}

func kitexDeclaredException(t *testing.T, c *kitexpeer.Client) {
	ctx := testContext(t)
	_, err := c.Echo(ctx, map[string]any{"message": "boom", "fail": true})
	if err == nil {
		t.Fatal("Echo with fail=true succeeded")
	}
	ee, ok := kitexpeer.AsEchoError(err)
	if !ok {
		t.Fatalf("AsEchoError(%T %v) failed", err, err)
	}
	if ee.Code != kitexpeer.EchoErrorCode || ee.Message != "failed: boom" {
		t.Errorf("EchoError = %+v, want code 7, message \"failed: boom\"", ee)
	}
	// Exactly what a Kitex server's declared exception looks like to this client: a DetailedError
	// (ErrRemoteOrNetwork) around a protocol-error TransError holding the exception's fields.
	if !errors.Is(err, kerrors.ErrRemoteOrNetwork) {
		t.Errorf("error %T %v does not wrap kerrors.ErrRemoteOrNetwork", err, err)
	}
	if typ, ok := kitexpeer.TransErrorType(err); !ok || typ != 7 {
		t.Errorf("TransErrorType = %d, %v; want 7, as for a Kitex server's declared exception", typ, ok)
	}
}

// kitexUnknownMethod: Tern answers every unknown method with a TApplicationException of type 1
// (unknown method) in every variant — where a Kitex server says 20 (unknown service) over Framed and
// Buffered — and keeps the connection.
func kitexUnknownMethod(t *testing.T, addr string, v kitexpeer.Variant) {
	ctx := testContext(t)
	c, err := kitexpeer.NewMissingClient(addr, v)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The message names the service only when the request did (TTHeader's isn key).
	wantMsg := `remote or network error[remote]: unknown method "Missing"`
	if v.HasTTHeader() {
		wantMsg += " in service Echo"
	}
	for i := range 2 {
		err := c.CallMissing(ctx, map[string]any{"message": "hello"})
		typ, ok := kitexpeer.TransErrorType(err)
		if !ok || typ != 1 {
			t.Fatalf("call %d: CallMissing error %T %v: TransErrorType = %d, %v; want 1 (unknown method)", i, err, err, typ, ok)
		}
		if !errors.Is(err, kerrors.ErrRemoteOrNetwork) {
			t.Errorf("call %d: error %T %v does not wrap kerrors.ErrRemoteOrNetwork", i, err, err)
		}
		if err.Error() != wantMsg {
			t.Errorf("call %d: error text\n  %q\nwant\n  %q", i, err.Error(), wantMsg)
		}
		t.Logf("%s: Kitex client sees %T %q", v, err, err)
	}
	// The same client (and connection pool) still reaches the methods that exist.
	if _, err := c.Echo(ctx, map[string]any{"message": "after unknown"}); err != nil {
		t.Errorf("Echo after the unknown method: %v", err)
	}
}

func kitexMetainfo(t *testing.T, c *kitexpeer.Client) {
	ctx := testContext(t)
	ctx = metainfo.WithValue(ctx, "trace", "t-"+c.Variant().String())
	ctx = metainfo.WithPersistentValue(ctx, "tenant", "p-"+c.Variant().String())
	resp, err := c.Echo(ctx, map[string]any{"message": "m", "meta_keys": []string{"trace", "tenant", "absent"}})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	got := metaOf(t, resp)
	want := wantMeta(c.Variant(), "t-"+c.Variant().String(), "p-"+c.Variant().String())
	if !equalMaps(got, want) {
		t.Errorf("meta the Tern handler saw = %v, want %v", got, want)
	}
}

// kitexBackward: the Tern handler sends backward value echoed=<message>. Kitex v0.16.3 carries backward
// values as bare TTHeader string keys: its server writes metainfo.AllBackwardValuesToSend as is, and
// its client (transmeta.MetainfoClientHandler.ReadMeta) hands every string key of the reply to
// metainfo.SetBackwardValuesFromMap — neither adds nor strips a prefix. So a Kitex client must find
// "echoed" over TTHeader, and nothing over Framed and Buffered.
func kitexBackward(t *testing.T, c *kitexpeer.Client) {
	ctx := metainfo.WithBackwardValues(testContext(t))
	if _, err := c.Echo(ctx, map[string]any{"message": "back"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	all := metainfo.RecvAllBackwardValues(ctx)
	if !c.Variant().HasTTHeader() {
		if len(all) != 0 {
			t.Errorf("backward values over %s: %v", c.Variant(), all)
		}
		return
	}
	if v, ok := metainfo.RecvBackwardValue(ctx, "echoed"); !ok || v != "back" {
		t.Errorf("Kitex client: backward value echoed = %q, %v; want \"back\" (all backward values received: %v)", v, ok, all)
	}
}

func kitexPanic(t *testing.T, addr string, c *kitexpeer.Client) {
	ctx := testContext(t)
	_, err := c.Echo(ctx, map[string]any{"message": "x", "panic": true})
	if err == nil {
		t.Fatal("Echo with panic=true succeeded")
	}
	// Tern sends a handler panic as TApplicationException type 6 (internal error), as Kitex does.
	if typ, ok := kitexpeer.TransErrorType(err); !ok || typ != 6 {
		t.Errorf("TransErrorType(%T %v) = %d, %v; want 6 (internal error)", err, err, typ, ok)
	}
	const want = "remote or network error[remote]: panic in handler Echo.Echo: echo handler asked to panic"
	if err.Error() != want {
		t.Errorf("error text\n  %q\nwant\n  %q", err.Error(), want)
	}
	t.Logf("%s: Kitex client sees %T %q", c.Variant(), err, err)
	// The server keeps serving: the same client, and a new one.
	if resp, err := c.Echo(ctx, map[string]any{"message": "after"}); err != nil || resp["message"] != "after" {
		t.Errorf("Echo after the panic = %v, %v", resp, err)
	}
	fresh := newKitexClient(t, addr, c.Variant())
	if resp, err := fresh.Echo(ctx, map[string]any{"message": "fresh"}); err != nil || resp["message"] != "fresh" {
		t.Errorf("Echo from a new client after the panic = %v, %v", resp, err)
	}
}

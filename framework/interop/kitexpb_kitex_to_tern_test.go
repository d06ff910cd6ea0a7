package interop_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/pkg/kerrors"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/rpcerr"
)

// TestKitexPBClientTernServer calls a Tern protobuf server from Kitex v0.16.3 protobuf clients speaking
// Kitex Protobuf over TTHeader+Framed (a Kitex client's only choice without gRPC) and over bare Framed.
func TestKitexPBClientTernServer(t *testing.T) {
	addr := startTernPBServer(t)
	for _, v := range kitexpeer.PBVariants {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			c := newKitexPBClient(t, addr, v)
			t.Run("PingPong", func(t *testing.T) { kitexPBPingPong(t, c) })
			t.Run("HandlerError", func(t *testing.T) { kitexPBHandlerError(t, c) })
			t.Run("Panic", func(t *testing.T) { kitexPBPanic(t, c) })
			t.Run("UnknownMethod", func(t *testing.T) { kitexPBUnknownMethod(t, addr, v) })
			t.Run("Metainfo", func(t *testing.T) { kitexPBMetainfo(t, c) })
			t.Run("LargeMessage", func(t *testing.T) { kitexPBLarge(t, c) })
		})
	}
}

// kitexPBPingPong also checks that the Kitex client's RPC timeout reaches the Tern handler as a
// deadline over TTHeader (int key 12), and that nothing does over Framed.
func kitexPBPingPong(t *testing.T, c *kitexpeer.PBClient) {
	ctx := testContext(t)
	wantMeta := map[string]string{}
	if c.Variant().HasTTHeader() {
		wantMeta["deadline"] = "set"
	}
	for i, msg := range []string{"hello " + c.Variant().String(), "", "third call"} {
		resp, err := c.Echo(ctx, &echopb.Request{Message: msg})
		if err != nil {
			t.Fatalf("call %d: Echo: %v", i, err)
		}
		if resp.GetMessage() != msg || !equalMaps(resp.GetMeta(), wantMeta) {
			t.Errorf("call %d: response %v, want message %q and meta %v", i, resp, msg, wantMeta)
		}
	}
	// A nil request travels as an empty message (zero bytes after the header), which Tern decodes.
	resp, err := c.Echo(ctx, nil)
	if err != nil || resp.GetMessage() != "" {
		t.Errorf("Echo(nil) = %v, %v; want an empty response", resp, err)
	}
}

// kitexPBHandlerError: a Tern handler's error reaches a Kitex client as an ErrorProto exception: the
// exception type derived from the rpcerr code, the handler's message as is. Over TTHeader Tern also
// names the exact code in its key tern-code, which a Kitex client carries along unread.
func kitexPBHandlerError(t *testing.T, c *kitexpeer.PBClient) {
	tests := []struct {
		name     string
		req      *echopb.Request
		wantType int32
		wantCode rpcerr.Code
	}{
		{"plain", &echopb.Request{Message: "a", Fail: true}, rpcerr.ExceptionUnknown, rpcerr.CodeUnknown},
		{"not_found", &echopb.Request{Message: "b", Fail: true, ErrorCode: int32(rpcerr.CodeNotFound)},
			rpcerr.ExceptionInternalError, rpcerr.CodeNotFound},
		{"unimplemented", &echopb.Request{Message: "c", Fail: true, ErrorCode: int32(rpcerr.CodeUnimplemented)},
			rpcerr.ExceptionUnknownMethod, rpcerr.CodeUnimplemented},
		{"invalid_argument", &echopb.Request{Message: "d", Fail: true, ErrorCode: int32(rpcerr.CodeInvalidArgument)},
			rpcerr.ExceptionProtocolError, rpcerr.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, reply := kitexpeer.WithReplyHeader(testContext(t))
			resp, err := c.Echo(ctx, tt.req)
			if err == nil {
				t.Fatalf("Echo answered %v", resp)
			}
			wantMsg := "failed: " + tt.req.GetMessage()
			assertKitexRemoteError(t, err, tt.wantType, wantMsg)
			code, ok := reply.Str("tern-code")
			switch {
			case !c.Variant().HasTTHeader():
				if ok {
					t.Errorf("tern-code %q over %s, which has no header", code, c.Variant())
				}
			case code != strconv.Itoa(int(tt.wantCode)):
				t.Errorf("reply key tern-code = %q, %v; want %d (%v); all keys %v", code, ok, tt.wantCode, tt.wantCode, reply.All())
			}
			// The client goes on working.
			if resp, err := c.Echo(ctx, &echopb.Request{Message: "after"}); err != nil || resp.GetMessage() != "after" {
				t.Errorf("Echo after the error = %v, %v", resp, err)
			}
		})
	}
}

// assertKitexRemoteError checks that err is how a Kitex client reports a remote exception of type
// wantType and message wantMsg.
func assertKitexRemoteError(t *testing.T, err error, wantType int32, wantMsg string) {
	t.Helper()
	if typ, ok := kitexpeer.TransErrorType(err); !ok || typ != wantType {
		t.Errorf("TransErrorType(%T %v) = %d, %v; want %d", err, err, typ, ok, wantType)
	}
	if !errors.Is(err, kerrors.ErrRemoteOrNetwork) {
		t.Errorf("error %T %v does not wrap kerrors.ErrRemoteOrNetwork", err, err)
	}
	if want := "remote or network error[remote]: " + wantMsg; err.Error() != want {
		t.Errorf("error text\n  %q\nwant\n  %q", err.Error(), want)
	}
}

func kitexPBPanic(t *testing.T, c *kitexpeer.PBClient) {
	ctx := testContext(t)
	_, err := c.Echo(ctx, &echopb.Request{Message: "x", Panic: true})
	assertKitexRemoteError(t, err, rpcerr.ExceptionInternalError, "panic in handler Echo.Echo: tern handler asked to panic")
	if resp, err := c.Echo(ctx, &echopb.Request{Message: "after"}); err != nil || resp.GetMessage() != "after" {
		t.Errorf("Echo after the panic = %v, %v", resp, err)
	}
}

// kitexPBUnknownMethod: Tern answers an unknown method with exception type 1 (unknown method) in both
// framings, naming the service only when the request did (TTHeader's isn), and keeps serving.
func kitexPBUnknownMethod(t *testing.T, addr string, v kitexpeer.PBVariant) {
	c := newKitexPBClient(t, addr, v, "Missing")
	ctx := testContext(t)
	wantMsg := `unknown method "Missing"`
	if v.HasTTHeader() {
		wantMsg += " in service Echo"
	}
	for i := range 2 {
		_, err := c.Call(ctx, "Missing", &echopb.Request{Message: "hello"})
		assertKitexRemoteError(t, err, rpcerr.ExceptionUnknownMethod, wantMsg)
		if t.Failed() {
			t.Fatalf("call %d", i)
		}
	}
	if resp, err := c.Echo(ctx, &echopb.Request{Message: "after unknown"}); err != nil || resp.GetMessage() != "after unknown" {
		t.Errorf("Echo after the unknown method = %v, %v", resp, err)
	}
}

// kitexPBMetainfo: transient and persistent metainfo reach the Tern handler, and its backward value
// reaches the Kitex client, over TTHeader; over Framed nothing travels.
func kitexPBMetainfo(t *testing.T, c *kitexpeer.PBClient) {
	v := c.Variant().String()
	ctx := metainfo.WithBackwardValues(testContext(t))
	ctx = metainfo.WithValue(ctx, "trace", "t-"+v)
	ctx = metainfo.WithPersistentValue(ctx, "tenant", "p-"+v)
	resp, err := c.Echo(ctx, &echopb.Request{Message: "m", MetaKeys: []string{"trace", "tenant", "absent"}})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	want := map[string]string{}
	if c.Variant().HasTTHeader() {
		want = map[string]string{"t.trace": "t-" + v, "p.tenant": "p-" + v, "deadline": "set"}
	}
	if !equalMaps(resp.GetMeta(), want) {
		t.Errorf("metainfo the Tern handler saw = %v, want %v", resp.GetMeta(), want)
	}
	got, ok := metainfo.RecvBackwardValue(ctx, "echoed")
	if c.Variant().HasTTHeader() && (!ok || got != "m") {
		t.Errorf("backward value echoed = %q, %v; want \"m\" (all: %v)", got, ok, metainfo.RecvAllBackwardValues(ctx))
	}
	if !c.Variant().HasTTHeader() && ok {
		t.Errorf("backward value echoed = %q over %s, which has no header", got, v)
	}
}

// kitexPBLarge round-trips a 1 MiB payload.
func kitexPBLarge(t *testing.T, c *kitexpeer.PBClient) {
	ctx := testContext(t)
	payload := largePayload(1 << 20)
	resp, err := c.Echo(ctx, &echopb.Request{Message: "large", Payload: payload})
	if err != nil {
		t.Fatalf("Echo(1 MiB): %v", err)
	}
	if resp.GetMessage() != "large" || !bytes.Equal(resp.GetPayload(), payload) {
		t.Errorf("Echo(1 MiB) answered message %q and %d payload bytes (equal: %v)",
			resp.GetMessage(), len(resp.GetPayload()), bytes.Equal(resp.GetPayload(), payload))
	}
}

// largePayload returns n bytes of a repeating, position-dependent pattern (so a shifted or truncated
// copy does not compare equal).
func largePayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// TestKitexPBMuxClientTernServer sends many concurrent calls from a multiplexing Kitex client (one
// TTHeader+Framed connection, replies matched by sequence id) to a Tern server; calls sleep different
// times, so a server that answers in completion order answers out of request order.
func TestKitexPBMuxClientTernServer(t *testing.T) {
	addr := startTernPBServer(t)
	c, err := kitexpeer.NewPBClient(addr, kitexpeer.PBTTHeader, nil, client.WithMuxConnection(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := testContext(t)
	const workers, perWorker = 32, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				msg := fmt.Sprintf("w%d-%d", w, i)
				cctx := metainfo.WithValue(ctx, "who", msg)
				resp, err := c.Echo(cctx, &echopb.Request{Message: msg, MetaKeys: []string{"who"}, DelayMs: int32((w + i) % 4 * 5)})
				switch {
				case err != nil:
					errs <- fmt.Errorf("%s: %w", msg, err)
				case resp.GetMessage() != msg || resp.GetMeta()["t.who"] != msg:
					errs <- fmt.Errorf("%s: got reply %q meta %v (another call's?)", msg, resp.GetMessage(), resp.GetMeta())
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 5 {
			t.Error(err)
		}
	}
	if n > 5 {
		t.Errorf("... %d of %d calls failed", n, workers*perWorker)
	}
}

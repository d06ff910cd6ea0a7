package kitexpeer_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cloudwego/kitex/pkg/kerrors"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
)

var allPBVariants = []kitexpeer.PBVariant{kitexpeer.PBTTHeader, kitexpeer.PBFramed, kitexpeer.PBGRPC}

func newPBClient(t *testing.T, addr string, v kitexpeer.PBVariant, extra ...string) *kitexpeer.PBClient {
	t.Helper()
	c, err := kitexpeer.NewPBClient(addr, v, extra)
	if err != nil {
		t.Fatalf("NewPBClient(%s): %v", v, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestKitexToKitexPB checks the protobuf peers against each other: one Kitex server takes Kitex
// Protobuf (TTHeader+Framed, Framed) and gRPC on its one port.
func TestKitexToKitexPB(t *testing.T) {
	srv := kitexpeer.StartPBServer(t, "")
	for _, v := range allPBVariants {
		t.Run(v.String(), func(t *testing.T) {
			c := newPBClient(t, srv.Addr(), v, "Missing")
			ctx := testContext(t)
			resp, err := c.Echo(ctx, &echopb.Request{Message: "hi", Payload: []byte{1, 2, 3}})
			if err != nil || resp.GetMessage() != "hi" || string(resp.GetPayload()) != "\x01\x02\x03" {
				t.Fatalf("Echo = %v, %v", resp, err)
			}
			// With context timeout on, the client's RPC timeout is the handler's deadline over TTHeader
			// and gRPC; Framed carries none.
			if got, want := resp.GetMeta()["deadline"] == "set", v != kitexpeer.PBFramed; got != want {
				t.Errorf("handler deadline set = %v, want %v", got, want)
			}
			_, err = c.Echo(ctx, &echopb.Request{Message: "x", Fail: true})
			if err == nil || !strings.Contains(err.Error(), "failed: x") {
				t.Errorf("Echo(fail) error = %v, want one naming \"failed: x\"", err)
			}
			_, err = c.Echo(ctx, &echopb.Request{Message: "x", BizStatus: 404})
			var be kerrors.BizStatusErrorIface
			if v == kitexpeer.PBFramed { // no header: Kitex loses the business status
				if err != nil {
					t.Errorf("Echo(biz status) over Framed = %v, want success", err)
				}
			} else if !errors.As(err, &be) || be.BizStatusCode() != 404 || be.BizMessage() != "failed: x" {
				t.Errorf("Echo(biz status) error = %T %v, want business status 404", err, err)
			}
			if _, err := c.Call(ctx, "Missing", &echopb.Request{}); err == nil || !strings.Contains(err.Error(), "Missing") {
				t.Errorf("Missing error = %v, want one naming the method", err)
			}
		})
	}
}

// TestKitexToKitexPBStreaming runs the three streaming kinds between the Kitex peers over gRPC.
func TestKitexToKitexPBStreaming(t *testing.T) {
	srv := kitexpeer.StartPBServer(t, "")
	c := newPBClient(t, srv.Addr(), kitexpeer.PBGRPC)
	t.Run("ServerStream", func(t *testing.T) {
		ctx := testContext(t)
		st, err := c.Stream(ctx, "ServerStream")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SendMsg(&echopb.Request{Message: "s", Count: 3}); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		for i := range int32(3) {
			resp := new(echopb.Response)
			if err := st.RecvMsg(resp); err != nil || resp.GetIndex() != i || resp.GetMessage() != "s" {
				t.Fatalf("response %d = %v, %v", i, resp, err)
			}
		}
		if err := st.RecvMsg(new(echopb.Response)); !errors.Is(err, io.EOF) {
			t.Errorf("after 3 responses: %v, want io.EOF", err)
		}
	})
	t.Run("ClientStream", func(t *testing.T) {
		ctx := testContext(t)
		st, err := c.Stream(ctx, "ClientStream")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"a", "b", "c"} {
			if err := st.SendMsg(&echopb.Request{Message: m}); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		resp := new(echopb.Response)
		if err := st.RecvMsg(resp); err != nil || resp.GetMessage() != "a,b,c" || resp.GetIndex() != 3 {
			t.Errorf("response = %v, %v; want a,b,c and 3", resp, err)
		}
	})
	t.Run("BidiStream", func(t *testing.T) {
		ctx := testContext(t)
		st, err := c.Stream(ctx, "BidiStream")
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range []string{"x", "y"} {
			if err := st.SendMsg(&echopb.Request{Message: m}); err != nil {
				t.Fatal(err)
			}
			resp := new(echopb.Response)
			if err := st.RecvMsg(resp); err != nil || resp.GetMessage() != m || resp.GetIndex() != int32(i) {
				t.Fatalf("echo of %q = %v, %v", m, resp, err)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if err := st.RecvMsg(new(echopb.Response)); !errors.Is(err, io.EOF) {
			t.Errorf("after the half-close: %v, want io.EOF", err)
		}
	})
}

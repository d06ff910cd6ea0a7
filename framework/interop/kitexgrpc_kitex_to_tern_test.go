package interop_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/client/callopt"
	"github.com/cloudwego/kitex/pkg/kerrors"
	kmetadata "github.com/cloudwego/kitex/pkg/remote/trans/nphttp2/metadata"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/rpcerr"
)

// TestKitexGRPCClientTernServer calls a Tern server from a Kitex v0.16.3 client on Kitex's gRPC
// transport (transport.GRPC), on the port that also serves Kitex Protobuf.
func TestKitexGRPCClientTernServer(t *testing.T) {
	addr := startTernPBServer(t)
	c := newKitexPBClient(t, addr, kitexpeer.PBGRPC, "Missing")
	t.Run("Unary", func(t *testing.T) { kitexGRPCUnary(t, c) })
	t.Run("Metainfo", func(t *testing.T) { kitexGRPCMetainfo(t, c) })
	t.Run("ErrorStatus", func(t *testing.T) { kitexGRPCErrorStatus(t, c) })
	t.Run("DeadlineExceeded", func(t *testing.T) { kitexGRPCDeadline(t, addr) })
	t.Run("UnknownMethod", func(t *testing.T) { kitexGRPCUnknownMethod(t, c) })
	t.Run("Concurrent", func(t *testing.T) { kitexGRPCConcurrent(t, c) })
	t.Run("ServerStream", func(t *testing.T) { kitexGRPCServerStream(t, c) })
	t.Run("ClientStream", func(t *testing.T) { kitexGRPCClientStream(t, c) })
	t.Run("BidiStream", func(t *testing.T) { kitexGRPCBidiStream(t, c) })
}

func kitexGRPCUnary(t *testing.T, c *kitexpeer.PBClient) {
	ctx := testContext(t)
	for i, msg := range []string{"hello grpc", "", "third call, same connection"} {
		resp, err := c.Echo(ctx, &echopb.Request{Message: msg})
		if err != nil {
			t.Fatalf("call %d: Echo: %v", i, err)
		}
		// grpc-timeout carries the Kitex client's RPC timeout: the Tern handler has a deadline.
		if resp.GetMessage() != msg || !equalMaps(resp.GetMeta(), map[string]string{"deadline": "set"}) {
			t.Errorf("call %d: response %v, want message %q and meta {deadline: set}", i, resp, msg)
		}
	}
	// 1 MiB plain; 256 KiB gzip-compressed (grpc-encoding: gzip on the request, answered in kind),
	// under a longer timeout: compress/flate under the race detector takes seconds per MiB.
	for _, tc := range []struct {
		compressor string
		size       int
	}{{"", 1 << 20}, {"gzip", 256 << 10}} {
		payload := largePayload(tc.size)
		opts := []callopt.Option{callopt.WithRPCTimeout(8 * time.Second)}
		if tc.compressor != "" {
			opts = append(opts, callopt.WithGRPCCompressor(tc.compressor))
		}
		resp, err := c.Call(ctx, "Echo", &echopb.Request{Message: "large", Payload: payload}, opts...)
		if err != nil {
			t.Fatalf("Echo(%d bytes, compressor %q): %v", tc.size, tc.compressor, err)
		}
		if !bytes.Equal(resp.GetPayload(), payload) {
			t.Errorf("Echo(%d bytes, compressor %q) answered %d payload bytes (equal: false)", tc.size, tc.compressor, len(resp.GetPayload()))
		}
	}
}

// kitexGRPCMetainfo: Kitex sends metainfo as rpc-transit-<key> / rpc-persist-<key> headers, lower-cased
// with '_' as '-'; Tern reads them back as Kitex does, upper-cased with '-' as '_'. No backward channel
// exists over gRPC.
func kitexGRPCMetainfo(t *testing.T, c *kitexpeer.PBClient) {
	ctx := metainfo.WithBackwardValues(testContext(t))
	ctx = metainfo.WithValue(ctx, "trace_id", "t1")
	ctx = metainfo.WithPersistentValue(ctx, "tenant", "p1")
	// Custom metadata rides along, a binary value base64-encoded by Kitex; it is no metainfo.
	ctx = kmetadata.AppendToOutgoingContext(ctx, "x-user", "u1", "x-blob-bin", "\x00\x01\xfe\xff")
	resp, err := c.Echo(ctx, &echopb.Request{Message: "m", MetaKeys: []string{"TRACE_ID", "TENANT", "trace_id", "tenant", "X_USER", "x-user"}})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	want := map[string]string{"t.TRACE_ID": "t1", "p.TENANT": "p1", "deadline": "set"}
	if !equalMaps(resp.GetMeta(), want) {
		t.Errorf("metainfo the Tern handler saw = %v, want %v", resp.GetMeta(), want)
	}
	if all := metainfo.RecvAllBackwardValues(ctx); len(all) != 0 {
		t.Errorf("backward values over gRPC: %v, want none", all)
	}
}

// kitexGRPCErrorStatus: a Tern handler's error becomes the gRPC status: its rpcerr code (a plain error
// is UNKNOWN, a panic INTERNAL) and its message.
func kitexGRPCErrorStatus(t *testing.T, c *kitexpeer.PBClient) {
	tests := []struct {
		name     string
		req      *echopb.Request
		wantCode uint32
		wantMsg  string
	}{
		{"plain", &echopb.Request{Message: "a", Fail: true}, uint32(rpcerr.CodeUnknown), "failed: a"},
		{"not_found", &echopb.Request{Message: "b", Fail: true, ErrorCode: int32(rpcerr.CodeNotFound)},
			uint32(rpcerr.CodeNotFound), "failed: b"},
		{"permission_denied", &echopb.Request{Message: "c", Fail: true, ErrorCode: int32(rpcerr.CodePermissionDenied)},
			uint32(rpcerr.CodePermissionDenied), "failed: c"},
		{"panic", &echopb.Request{Message: "d", Panic: true}, uint32(rpcerr.CodeInternal),
			"panic in handler Echo.Echo: tern handler asked to panic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			resp, err := c.Echo(ctx, tt.req)
			code, msg, ok := kitexpeer.GRPCStatus(err)
			if !ok || code != tt.wantCode || msg != tt.wantMsg {
				t.Errorf("Echo = %v, %T %v: status %d %q (%v); want %d %q", resp, err, err, code, msg, ok, tt.wantCode, tt.wantMsg)
			}
			if !errors.Is(err, kerrors.ErrRemoteOrNetwork) {
				t.Errorf("error %T %v does not wrap kerrors.ErrRemoteOrNetwork", err, err)
			}
		})
	}
}

// kitexGRPCDeadline: the Tern handler sleeps 500ms, the Kitex client's RPC timeout is 100ms; Kitex
// reports its own RPC timeout.
func kitexGRPCDeadline(t *testing.T, addr string) {
	c, err := kitexpeer.NewPBClient(addr, kitexpeer.PBGRPC, nil, client.WithRPCTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := testContext(t)
	start := time.Now()
	resp, err := c.Echo(ctx, &echopb.Request{Message: "slow", DelayMs: 500})
	elapsed := time.Since(start)
	if !errors.Is(err, kerrors.ErrRPCTimeout) {
		t.Errorf("Echo(delay 500ms) with a 100ms timeout = %v, %T %v; want kerrors.ErrRPCTimeout", resp, err, err)
	}
	if elapsed < 90*time.Millisecond || elapsed > 400*time.Millisecond {
		t.Errorf("the timed-out call took %v, want about 100ms", elapsed)
	}
	if resp, err := c.Echo(ctx, &echopb.Request{Message: "quick"}); err != nil || resp.GetMessage() != "quick" {
		t.Errorf("Echo after the timeout = %v, %v", resp, err)
	}
}

// kitexGRPCUnknownMethod: Tern answers a method its service lacks with UNIMPLEMENTED, as grpc-go does
// (a default Kitex server says CANCELLED).
func kitexGRPCUnknownMethod(t *testing.T, c *kitexpeer.PBClient) {
	ctx := testContext(t)
	for i := range 2 {
		resp, err := c.Call(ctx, "Missing", &echopb.Request{Message: "hello"})
		code, msg, ok := kitexpeer.GRPCStatus(err)
		if !ok || code != uint32(rpcerr.CodeUnimplemented) {
			t.Errorf("call %d: Missing = %v, %T %v: status %d %q (%v); want UNIMPLEMENTED", i, resp, err, err, code, msg, ok)
		}
	}
	if resp, err := c.Echo(ctx, &echopb.Request{Message: "after"}); err != nil || resp.GetMessage() != "after" {
		t.Errorf("Echo after the unknown method = %v, %v", resp, err)
	}
}

// kitexGRPCConcurrent sends 64 concurrent calls, each with its own metainfo, over the client's HTTP/2
// connection.
func kitexGRPCConcurrent(t *testing.T, c *kitexpeer.PBClient) {
	ctx := testContext(t)
	errs := make(chan error, 64)
	for i := range 64 {
		go func() {
			msg := fmt.Sprintf("call-%d", i)
			cctx := metainfo.WithValue(ctx, "who", msg)
			resp, err := c.Echo(cctx, &echopb.Request{Message: msg, MetaKeys: []string{"WHO"}})
			switch {
			case err != nil:
				errs <- fmt.Errorf("%s: %w", msg, err)
			case resp.GetMessage() != msg || resp.GetMeta()["t.WHO"] != msg:
				errs <- fmt.Errorf("%s: got %v", msg, resp)
			default:
				errs <- nil
			}
		}()
	}
	for range 64 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func kitexGRPCServerStream(t *testing.T, c *kitexpeer.PBClient) {
	ctx := metainfo.WithValue(testContext(t), "trace", "s1")
	st, err := c.Stream(ctx, "ServerStream")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := st.SendMsg(&echopb.Request{Message: "s", Count: 3, MetaKeys: []string{"TRACE"}}); err != nil {
		t.Fatalf("send: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("close send: %v", err)
	}
	for i := range int32(3) {
		resp := new(echopb.Response)
		if err := st.RecvMsg(resp); err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if resp.GetIndex() != i || resp.GetMessage() != "s" {
			t.Errorf("response %d = %v", i, resp)
		}
		if i == 0 && resp.GetMeta()["t.TRACE"] != "s1" {
			t.Errorf("the Tern stream handler saw metainfo %v, want t.TRACE = s1", resp.GetMeta())
		}
	}
	if err := st.RecvMsg(new(echopb.Response)); !errors.Is(err, io.EOF) {
		t.Errorf("after 3 responses: %v, want io.EOF", err)
	}
	if hd, err := st.Header(); err != nil || len(hd.Get("x-stream")) != 1 || hd.Get("x-stream")[0] != "ServerStream" {
		t.Errorf("header = %v, %v; want x-stream: ServerStream", hd, err)
	}
	if tr := st.Trailer(); len(tr.Get("x-count")) != 1 || tr.Get("x-count")[0] != "3" {
		t.Errorf("trailer = %v, want x-count: 3", tr)
	}
	// A stream that fails after its responses ends with the handler's status.
	st, err = c.Stream(ctx, "ServerStream")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := st.SendMsg(&echopb.Request{Message: "f", Count: 1, Fail: true, ErrorCode: int32(rpcerr.CodeAborted)}); err != nil {
		t.Fatalf("send: %v", err)
	}
	_ = st.Close()
	if err := st.RecvMsg(new(echopb.Response)); err != nil {
		t.Fatalf("first response: %v", err)
	}
	err = st.RecvMsg(new(echopb.Response))
	if code, msg, ok := kitexpeer.GRPCStatus(err); !ok || code != uint32(rpcerr.CodeAborted) || msg != "failed: f" {
		t.Errorf("end of a failing stream: %T %v; want status ABORTED \"failed: f\"", err, err)
	}
}

func kitexGRPCClientStream(t *testing.T, c *kitexpeer.PBClient) {
	ctx := testContext(t)
	st, err := c.Stream(ctx, "ClientStream")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	for _, m := range []string{"a", "b", "c"} {
		if err := st.SendMsg(&echopb.Request{Message: m}); err != nil {
			t.Fatalf("send %s: %v", m, err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatalf("close send: %v", err)
	}
	resp := new(echopb.Response)
	if err := st.RecvMsg(resp); err != nil || resp.GetMessage() != "a,b,c" || resp.GetIndex() != 3 {
		t.Errorf("response = %v, %v; want a,b,c and 3", resp, err)
	}
}

func kitexGRPCBidiStream(t *testing.T, c *kitexpeer.PBClient) {
	ctx := testContext(t)
	st, err := c.Stream(ctx, "BidiStream")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	// Ping-pong first, then a burst larger than the initial flow-control windows (64 KiB).
	for i, m := range []string{"x", "y"} {
		if err := st.SendMsg(&echopb.Request{Message: m}); err != nil {
			t.Fatalf("send %s: %v", m, err)
		}
		resp := new(echopb.Response)
		if err := st.RecvMsg(resp); err != nil || resp.GetMessage() != m || resp.GetIndex() != int32(i) {
			t.Fatalf("echo of %q = %v, %v", m, resp, err)
		}
	}
	payload := largePayload(32 << 10)
	const burst = 8
	sendErr := make(chan error, 1)
	go func() {
		for i := range burst {
			if err := st.SendMsg(&echopb.Request{Message: fmt.Sprint(i), Payload: payload}); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- st.Close()
	}()
	for i := range burst {
		resp := new(echopb.Response)
		if err := st.RecvMsg(resp); err != nil {
			t.Fatalf("burst response %d: %v", i, err)
		}
		if resp.GetMessage() != fmt.Sprint(i) || resp.GetIndex() != int32(i+2) || !bytes.Equal(resp.GetPayload(), payload) {
			t.Errorf("burst response %d: message %q, index %d, %d payload bytes", i, resp.GetMessage(), resp.GetIndex(), len(resp.GetPayload()))
		}
	}
	if err := <-sendErr; err != nil {
		t.Errorf("sending the burst: %v", err)
	}
	if err := st.RecvMsg(new(echopb.Response)); !errors.Is(err, io.EOF) {
		t.Errorf("after the half-close: %v, want io.EOF", err)
	}
}

package interop_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb/echoservice"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/grpc"
)

// ternGRPCOptions are the options of a Tern gRPC client for addr.
func ternGRPCOptions(addr string) []client.Option {
	return []client.Option{
		client.WithHostPorts(addr),
		client.WithTransportProtocol(transport.GRPC),
		client.WithConnectTimeout(time.Second),
	}
}

// newTernGRPCClient returns the generated Tern client of kitexpeer.echo.Echo on gRPC, closed when the
// test ends.
func newTernGRPCClient(t testing.TB, addr string, opts ...client.Option) echoservice.Client {
	t.Helper()
	c, err := echoservice.NewClient(kitexpeer.PBServiceName, append(ternGRPCOptions(addr), opts...)...)
	if err != nil {
		t.Fatalf("echoservice.NewClient(grpc): %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestTernGRPCClientKitexServer calls a Kitex v0.16.3 gRPC server (its one port, which also serves
// Kitex Protobuf) from a Tern client on gRPC.
func TestTernGRPCClientKitexServer(t *testing.T) {
	srv := sharedKitexPBServer(t, "grpc")
	c := newTernGRPCClient(t, srv.Addr())
	t.Run("Unary", func(t *testing.T) { ternGRPCUnary(t, c) })
	t.Run("Metainfo", func(t *testing.T) { ternGRPCMetainfo(t, c) })
	t.Run("ErrorStatus", func(t *testing.T) { ternGRPCErrorStatus(t, c) })
	t.Run("DeadlineExceeded", func(t *testing.T) { ternGRPCDeadline(t, srv.Addr()) })
	t.Run("UnknownMethod", func(t *testing.T) { ternGRPCUnknownMethod(t, srv.Addr()) })
	t.Run("Concurrent", func(t *testing.T) { ternGRPCConcurrent(t, c) })
	t.Run("ServerStream", func(t *testing.T) { ternGRPCServerStream(t, c) })
	t.Run("ClientStream", func(t *testing.T) { ternGRPCClientStream(t, c) })
	t.Run("BidiStream", func(t *testing.T) { ternGRPCBidiStream(t, c) })
}

func ternGRPCUnary(t *testing.T, c echoservice.Client) {
	ctx := testContext(t)
	for i, msg := range []string{"hello grpc", "", "third call, same connection"} {
		resp, err := c.Echo(ctx, &echopb.Request{Message: msg})
		if err != nil {
			t.Fatalf("call %d: Echo: %v", i, err)
		}
		if resp.GetMessage() != msg {
			t.Errorf("call %d: response %v, want message %q", i, resp, msg)
		}
	}
	payload := largePayload(1 << 20)
	resp, err := c.Echo(ctx, &echopb.Request{Message: "large", Payload: payload})
	if err != nil {
		t.Fatalf("Echo(1 MiB): %v", err)
	}
	if !bytes.Equal(resp.GetPayload(), payload) {
		t.Errorf("Echo(1 MiB) answered %d payload bytes (equal: false)", len(resp.GetPayload()))
	}
}

// TestTernGRPCGzipKitexServer: a Tern client that compresses sends gzip requests and announces gzip;
// the Kitex server (gzip registered, see kitexgrpc_gzip_test.go) decodes them and compresses its
// replies, which the Tern client decodes, unary and streaming.
func TestTernGRPCGzipKitexServer(t *testing.T) {
	srv := sharedKitexPBServer(t, "grpc")
	cfg := grpc.DefaultConfig()
	cfg.SendCompression = "gzip"
	c := newTernGRPCClient(t, srv.Addr(), client.WithGRPCConfig(cfg))
	ctx := testContext(t)
	payload := largePayload(256 << 10) // compress/flate under the race detector takes seconds per MiB
	resp, err := c.Echo(ctx, &echopb.Request{Message: "gz", Payload: payload})
	if err != nil || resp.GetMessage() != "gz" || !bytes.Equal(resp.GetPayload(), payload) {
		t.Fatalf("Echo(256 KiB, gzip) = %q with %d payload bytes, %v", resp.GetMessage(), len(resp.GetPayload()), err)
	}
	st, err := c.BidiStream(ctx)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	for i := range 3 {
		if err := st.Send(&echopb.Request{Message: fmt.Sprint(i), Payload: payload[:64<<10]}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		resp, err := st.Recv()
		if err != nil || resp.GetMessage() != fmt.Sprint(i) || !bytes.Equal(resp.GetPayload(), payload[:64<<10]) {
			t.Fatalf("echo %d = %q with %d payload bytes, %v", i, resp.GetMessage(), len(resp.GetPayload()), err)
		}
	}
	if err := st.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("after the half-close: %v, want io.EOF", err)
	}
}

// ternGRPCMetainfo: Tern sends metainfo as rpc-transit-<key> / rpc-persist-<key> headers; the Kitex
// handler finds the keys upper-cased, '-' read as '_'. Kitex has no backward channel over gRPC.
func ternGRPCMetainfo(t *testing.T, c echoservice.Client) {
	ctx := metainfo.WithBackwardValues(testContext(t))
	ctx = metainfo.WithValue(ctx, "trace_id", "t1")
	ctx = metainfo.WithPersistentValue(ctx, "tenant", "p1")
	resp, err := c.Echo(ctx, &echopb.Request{Message: "m", MetaKeys: []string{"TRACE_ID", "TENANT", "trace_id", "tenant"}})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	meta := resp.GetMeta()
	delete(meta, "deadline") // depends on whether the client sends grpc-timeout for the test's deadline
	if want := map[string]string{"t.TRACE_ID": "t1", "p.TENANT": "p1"}; !equalMaps(meta, want) {
		t.Errorf("metainfo the Kitex handler saw = %v, want %v", meta, want)
	}
	if all := metainfo.RecvAllBackwardValues(ctx); len(all) != 0 {
		t.Errorf("backward values over gRPC: %v, want none", all)
	}
}

// ternGRPCErrorStatus: a Kitex handler's error reaches Tern as the gRPC status. Kitex sends a plain
// error as INTERNAL, a TransError with its type id as the code, and appends " [biz error]" to the
// message. (Business status errors: kitexpb_bizstatus_test.go.)
func ternGRPCErrorStatus(t *testing.T, c echoservice.Client) {
	tests := []struct {
		name     string
		req      *echopb.Request
		wantCode rpcerr.Code
		wantMsg  string
	}{
		{"plain", &echopb.Request{Message: "a", Fail: true}, rpcerr.CodeInternal, "failed: a [biz error]"},
		{"trans_error_not_found", &echopb.Request{Message: "b", Fail: true, ErrorCode: int32(rpcerr.CodeNotFound)},
			rpcerr.CodeNotFound, "failed: b [biz error]"},
		{"panic", &echopb.Request{Message: "d", Panic: true}, rpcerr.CodeInternal,
			"panic: [happened in biz handler, method=Echo.Echo, please check the panic at the server side] " +
				"kitexpeer: panic requested by Request.panic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			resp, err := c.Echo(ctx, tt.req)
			var re *rpcerr.Error
			if !errors.As(err, &re) {
				t.Fatalf("Echo = %v, %T %v; want an *rpcerr.Error", resp, err, err)
			}
			if re.Code() != tt.wantCode || re.Message() != tt.wantMsg {
				t.Errorf("error: code %v, message %q; want %v, %q", re.Code(), re.Message(), tt.wantCode, tt.wantMsg)
			}
		})
	}
}

// ternGRPCDeadline: the Kitex handler sleeps 500ms, the Tern client gives up after 100ms; the handler
// sees the deadline (grpc-timeout).
func ternGRPCDeadline(t *testing.T, addr string) {
	c := newTernGRPCClient(t, addr, client.WithRPCTimeout(100*time.Millisecond))
	ctx := testContext(t)
	start := time.Now()
	resp, err := c.Echo(ctx, &echopb.Request{Message: "slow", DelayMs: 500})
	elapsed := time.Since(start)
	if code := rpcerr.CodeOf(err); code != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("Echo(delay 500ms) with a 100ms RPC timeout = %v, %v (code %v); want deadline_exceeded", resp, err, code)
	}
	if elapsed < 90*time.Millisecond || elapsed > 400*time.Millisecond {
		t.Errorf("the timed-out call took %v, want about 100ms", elapsed)
	}
	resp, err = c.Echo(ctx, &echopb.Request{Message: "quick"})
	if err != nil || resp.GetMessage() != "quick" || resp.GetMeta()["deadline"] != "set" {
		t.Errorf("Echo after the timeout = %v, %v; want message quick and the handler's deadline set", resp, err)
	}
}

// ternGRPCUnknownMethod: a default Kitex server answers an unknown method with CANCELLED and
// "unknown method <name>".
func ternGRPCUnknownMethod(t *testing.T, addr string) {
	c, err := client.NewClient(ternPBInfo("Missing"), ternGRPCOptions(addr)...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := testContext(t)
	for i := range 2 {
		resp, err := callPB(ctx, c, "Missing", &echopb.Request{Message: "hello"})
		var re *rpcerr.Error
		if !errors.As(err, &re) || re.Code() != rpcerr.CodeCanceled || re.Message() != "unknown method Missing" {
			t.Errorf("call %d: Missing = %v, %T %v; want canceled \"unknown method Missing\"", i, resp, err, err)
		}
	}
	if resp, err := callPB(ctx, c, "Echo", &echopb.Request{Message: "after"}); err != nil || resp.GetMessage() != "after" {
		t.Errorf("Echo after the unknown method = %v, %v", resp, err)
	}
}

// ternGRPCConcurrent sends 64 concurrent calls, each with its own metainfo, over the Tern client's
// HTTP/2 connection.
func ternGRPCConcurrent(t *testing.T, c echoservice.Client) {
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

func ternGRPCServerStream(t *testing.T, c echoservice.Client) {
	ctx := metainfo.WithValue(testContext(t), "trace", "s1")
	st, err := c.ServerStream(ctx, &echopb.Request{Message: "s", Count: 3, MetaKeys: []string{"TRACE"}})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	for i := range int32(3) {
		resp, err := st.Recv()
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if resp.GetIndex() != i || resp.GetMessage() != "s" {
			t.Errorf("response %d = %v", i, resp)
		}
		if i == 0 && resp.GetMeta()["t.TRACE"] != "s1" {
			t.Errorf("the Kitex stream handler saw metainfo %v, want t.TRACE = s1", resp.GetMeta())
		}
	}
	if _, err := st.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("after 3 responses: %v, want io.EOF", err)
	}
	if hd, err := st.Header(); err != nil || hd.Get("x-stream") != "ServerStream" {
		t.Errorf("header = %v, %v; want x-stream: ServerStream", hd, err)
	}
	if tr := st.Trailer(); tr.Get("x-count") != "3" {
		t.Errorf("trailer = %v, want x-count: 3", tr)
	}
	// A stream that fails after its responses ends with the handler's status (a TransError's type id
	// is the gRPC code).
	st, err = c.ServerStream(ctx, &echopb.Request{Message: "f", Count: 1, Fail: true, ErrorCode: int32(rpcerr.CodeAborted)})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := st.Recv(); err != nil {
		t.Fatalf("first response: %v", err)
	}
	_, err = st.Recv()
	var re *rpcerr.Error
	if !errors.As(err, &re) || re.Code() != rpcerr.CodeAborted || re.Message() != "failed: f [biz error]" {
		t.Errorf("end of a failing stream: %T %v; want aborted \"failed: f [biz error]\"", err, err)
	}
}

func ternGRPCClientStream(t *testing.T, c echoservice.Client) {
	ctx := testContext(t)
	st, err := c.ClientStream(ctx)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	for _, m := range []string{"a", "b", "c"} {
		if err := st.Send(&echopb.Request{Message: m}); err != nil {
			t.Fatalf("send %s: %v", m, err)
		}
	}
	resp, err := st.CloseAndRecv()
	if err != nil || resp.GetMessage() != "a,b,c" || resp.GetIndex() != 3 {
		t.Errorf("response = %v, %v; want a,b,c and 3", resp, err)
	}
}

func ternGRPCBidiStream(t *testing.T, c echoservice.Client) {
	ctx := testContext(t)
	st, err := c.BidiStream(ctx)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	for i, m := range []string{"x", "y"} {
		if err := st.Send(&echopb.Request{Message: m}); err != nil {
			t.Fatalf("send %s: %v", m, err)
		}
		resp, err := st.Recv()
		if err != nil || resp.GetMessage() != m || resp.GetIndex() != int32(i) {
			t.Fatalf("echo of %q = %v, %v", m, resp, err)
		}
	}
	// A burst larger than the initial flow-control windows (64 KiB), sent while receiving.
	payload := largePayload(32 << 10)
	const burst = 8
	sendErr := make(chan error, 1)
	go func() {
		for i := range burst {
			if err := st.Send(&echopb.Request{Message: fmt.Sprint(i), Payload: payload}); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- st.CloseSend()
	}()
	for i := range burst {
		resp, err := st.Recv()
		if err != nil {
			t.Fatalf("burst response %d: %v", i, err)
		}
		if resp.GetMessage() != fmt.Sprint(i) || resp.GetIndex() != int32(i+2) || !bytes.Equal(resp.GetPayload(), payload) {
			t.Errorf("burst response %d: message %q, index %d, %d payload bytes", i, resp.GetMessage(), resp.GetIndex(), len(resp.GetPayload()))
		}
	}
	if err := <-sendErr; err != nil {
		t.Errorf("sending the burst: %v", err)
	}
	if _, err := st.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("after the half-close: %v, want io.EOF", err)
	}
}

package interop_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb/echoservice"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
)

// ternPBClient is the generated Tern client of kitexpeer.echo.Echo and the variant it speaks.
type ternPBClient struct {
	echoservice.Client
	variant kitexpeer.PBVariant
}

// ternPBOptions are the client options that put v on the wire.
func ternPBOptions(addr string, v kitexpeer.PBVariant) []client.Option {
	proto := transport.TTHeaderFramed
	if v == kitexpeer.PBFramed {
		proto = transport.Framed
	}
	return []client.Option{
		client.WithHostPorts(addr),
		client.WithTransportProtocol(proto),
		client.WithConnectTimeout(time.Second),
	}
}

// newTernPBClient returns a Tern protobuf client for addr speaking v (TTHeader+Framed or Framed),
// closed when the test ends.
func newTernPBClient(t testing.TB, addr string, v kitexpeer.PBVariant, opts ...client.Option) ternPBClient {
	t.Helper()
	c, err := echoservice.NewClient(kitexpeer.PBServiceName, append(ternPBOptions(addr, v), opts...)...)
	if err != nil {
		t.Fatalf("echoservice.NewClient(%s): %v", v, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return ternPBClient{Client: c, variant: v}
}

// callPB makes a unary call of method through an untyped Tern client.
func callPB(ctx context.Context, c client.Client, method string, req *echopb.Request) (*echopb.Response, error) {
	var result echoservice.EchoResult
	if err := c.Call(ctx, method, &echoservice.EchoArgs{Req: req}, &result); err != nil {
		return nil, err
	}
	return result.Success, nil
}

// TestTernPBClientKitexServer calls a Kitex v0.16.3 protobuf server from Tern clients on pooled
// connections, over TTHeader+Framed and Framed.
func TestTernPBClientKitexServer(t *testing.T) {
	for _, v := range kitexpeer.PBVariants {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			srv := sharedKitexPBServer(t, "pooled/"+v.String())
			c := newTernPBClient(t, srv.Addr(), v)
			t.Run("PingPong", func(t *testing.T) { ternPBPingPong(t, c) })
			t.Run("HandlerError", func(t *testing.T) { ternPBHandlerError(t, c) })
			t.Run("Panic", func(t *testing.T) { ternPBPanic(t, c) })
			t.Run("UnknownMethod", func(t *testing.T) { ternPBUnknownMethod(t, srv.Addr(), v) })
			t.Run("Metainfo", func(t *testing.T) { ternPBMetainfo(t, c) })
			t.Run("LargeMessage", func(t *testing.T) { ternPBLarge(t, c) })
			t.Run("RPCTimeout", func(t *testing.T) { ternPBTimeout(t, srv.Addr(), v) })
		})
	}
}

func ternPBPingPong(t *testing.T, c ternPBClient) {
	ctx := testContext(t)
	for i, msg := range []string{"hello " + c.variant.String(), "", "third call"} {
		resp, err := c.Echo(ctx, &echopb.Request{Message: msg})
		if err != nil {
			t.Fatalf("call %d: Echo: %v", i, err)
		}
		if resp.GetMessage() != msg || len(resp.GetMeta()) != 0 {
			t.Errorf("call %d: response %v, want message %q and no meta", i, resp, msg)
		}
	}
	// A nil request is sent as an empty message, which the Kitex handler gets as an empty Request.
	resp, err := c.Echo(ctx, nil)
	if err != nil || resp.GetMessage() != "" {
		t.Errorf("Echo(nil) = %v, %v; want an empty response", resp, err)
	}
}

// ternPBHandlerError: a Kitex handler's error reaches the Tern client as an ErrorProto exception. A
// plain error is type 6 (internal error), its message prefixed "biz error: "; a TransError keeps its
// type id, which Tern maps onto a code, and its message gets " [biz error]" appended.
func ternPBHandlerError(t *testing.T, c ternPBClient) {
	tests := []struct {
		name     string
		req      *echopb.Request
		wantType int32
		wantCode rpcerr.Code
		wantMsg  string
	}{
		{"plain", &echopb.Request{Message: "a", Fail: true},
			rpcerr.ExceptionInternalError, rpcerr.CodeInternal, "biz error: failed: a"},
		{"unknown_method_type", &echopb.Request{Message: "b", Fail: true, ErrorCode: rpcerr.ExceptionUnknownMethod},
			rpcerr.ExceptionUnknownMethod, rpcerr.CodeUnimplemented, "failed: b [biz error]"},
		{"protocol_error_type", &echopb.Request{Message: "c", Fail: true, ErrorCode: rpcerr.ExceptionProtocolError},
			rpcerr.ExceptionProtocolError, rpcerr.CodeInvalidArgument, "failed: c [biz error]"},
		{"unknown_service_type", &echopb.Request{Message: "d", Fail: true, ErrorCode: rpcerr.ExceptionUnknownService},
			rpcerr.ExceptionUnknownService, rpcerr.CodeUnimplemented, "failed: d [biz error]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			resp, err := c.Echo(ctx, tt.req)
			assertTernError(t, resp, err, tt.wantCode, tt.wantType, tt.wantMsg)
			if resp, err := c.Echo(ctx, &echopb.Request{Message: "after"}); err != nil || resp.GetMessage() != "after" {
				t.Errorf("Echo after the error = %v, %v", resp, err)
			}
		})
	}
}

// assertTernError checks that a Tern call failed with an *rpcerr.Error of the given code, exception
// type and message.
func assertTernError(t *testing.T, resp *echopb.Response, err error, code rpcerr.Code, typ int32, msg string) {
	t.Helper()
	var re *rpcerr.Error
	if !errors.As(err, &re) {
		t.Fatalf("call = %v, %T %v; want an *rpcerr.Error", resp, err, err)
	}
	if re.Code() != code || re.ExceptionType() != typ || re.Message() != msg {
		t.Errorf("error: code %v, exception type %d, message %q; want %v, %d, %q",
			re.Code(), re.ExceptionType(), re.Message(), code, typ, msg)
	}
}

func ternPBPanic(t *testing.T, c ternPBClient) {
	ctx := testContext(t)
	resp, err := c.Echo(ctx, &echopb.Request{Message: "x", Panic: true})
	assertTernError(t, resp, err, rpcerr.CodeInternal, rpcerr.ExceptionInternalError,
		"panic: [happened in biz handler, method=Echo.Echo, please check the panic at the server side] "+
			"kitexpeer: panic requested by Request.panic")
	if resp, err := c.Echo(ctx, &echopb.Request{Message: "after"}); err != nil || resp.GetMessage() != "after" {
		t.Errorf("Echo after the panic = %v, %v", resp, err)
	}
}

// ternPBUnknownMethod: a Kitex server answers an unknown protobuf method with type 1 over TTHeader
// (which names the service) and type 20 over Framed, then closes the connection; the next call must
// go out on a new one. Over Framed the exception carries sequence id 0 (TestKitexPBFramedExceptionSeqID),
// which Kitex's own client accepts on an exception; the Tern client must report the exception too.
func ternPBUnknownMethod(t *testing.T, addr string, v kitexpeer.PBVariant) {
	c, err := client.NewClient(ternPBInfo("Missing"), ternPBOptions(addr, v)...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wantType, wantMsg := rpcerr.ExceptionUnknownMethod, "unknown method Missing (service Echo)"
	if !v.HasTTHeader() {
		wantType, wantMsg = rpcerr.ExceptionUnknownService, "unknown service , method Missing"
	}
	for i := range 3 {
		ctx := testContext(t)
		resp, err := callPB(ctx, c, "Missing", &echopb.Request{Message: "hello"})
		assertTernError(t, resp, err, rpcerr.CodeUnimplemented, wantType, wantMsg)
		if resp, err := callPB(ctx, c, "Echo", &echopb.Request{Message: "next"}); err != nil || resp.GetMessage() != "next" {
			t.Errorf("round %d: Echo right after the unknown method = %v, %v (code %v)", i, resp, err, rpcerr.CodeOf(err))
		}
	}
}

// ternPBMetainfo: transient and persistent metainfo reach the Kitex handler, the client's RPC timeout
// becomes its deadline, and its backward value comes back, over TTHeader; over Framed nothing travels.
func ternPBMetainfo(t *testing.T, c ternPBClient) {
	v := c.variant.String()
	ctx := metainfo.WithBackwardValues(testContext(t))
	ctx = metainfo.WithValue(ctx, "trace", "t-"+v)
	ctx = metainfo.WithPersistentValue(ctx, "tenant", "p-"+v)
	resp, err := c.Echo(ctx, &echopb.Request{Message: "m", MetaKeys: []string{"trace", "tenant", "absent"}})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	want := map[string]string{}
	if c.variant.HasTTHeader() {
		want = map[string]string{"t.trace": "t-" + v, "p.tenant": "p-" + v}
	}
	if !equalMaps(resp.GetMeta(), want) {
		t.Errorf("metainfo the Kitex handler saw = %v, want %v", resp.GetMeta(), want)
	}
	got, ok := metainfo.RecvBackwardValue(ctx, "echoed")
	if c.variant.HasTTHeader() && (!ok || got != "m") {
		t.Errorf("backward value echoed = %q, %v; want \"m\" (all: %v)", got, ok, metainfo.RecvAllBackwardValues(ctx))
	}
	if !c.variant.HasTTHeader() && ok {
		t.Errorf("backward value echoed = %q over %s, which has no header", got, v)
	}
}

func ternPBLarge(t *testing.T, c ternPBClient) {
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

// ternPBTimeout: the Kitex handler sleeps 500ms, the Tern client gives up after 100ms; with TTHeader the
// handler also sees the deadline.
func ternPBTimeout(t *testing.T, addr string, v kitexpeer.PBVariant) {
	c := newTernPBClient(t, addr, v, client.WithRPCTimeout(100*time.Millisecond))
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
	if err != nil || resp.GetMessage() != "quick" {
		t.Fatalf("Echo after the timeout = %v, %v", resp, err)
	}
	wantDeadline := map[string]string{}
	if v.HasTTHeader() {
		wantDeadline["deadline"] = "set"
	}
	if !equalMaps(resp.GetMeta(), wantDeadline) {
		t.Errorf("with an RPC timeout the Kitex handler reported %v, want %v", resp.GetMeta(), wantDeadline)
	}
}

// TestTernPBMuxClientKitexServer sends many concurrent calls from a multiplexing Tern protobuf client
// (replies matched by sequence id on shared TTHeader+Framed connections) to a Kitex server.
func TestTernPBMuxClientKitexServer(t *testing.T) {
	srv := sharedKitexPBServer(t, "mux")
	for _, conns := range []int{1, 3} {
		t.Run(fmt.Sprintf("conns=%d", conns), func(t *testing.T) {
			c := newTernPBClient(t, srv.Addr(), kitexpeer.PBTTHeader,
				client.WithMuxConnection(conns), client.WithRPCTimeout(5*time.Second))
			ternPBMux(t, c)
		})
	}
}

func ternPBMux(t *testing.T, c ternPBClient) {
	ctx := testContext(t)
	const workers, perWorker = 32, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				msg := fmt.Sprintf("w%d-%d", w, i)
				cctx := metainfo.WithValue(ctx, "who", msg)
				// Every eighth call carries 64 KiB, so large and small frames interleave.
				var payload []byte
				if i%8 == 7 {
					payload = largePayload(64<<10 + w)
				}
				resp, err := c.Echo(cctx, &echopb.Request{Message: msg, MetaKeys: []string{"who"}, Payload: payload})
				switch {
				case err != nil:
					errs <- fmt.Errorf("%s: %w", msg, err)
				case resp.GetMessage() != msg || resp.GetMeta()["t.who"] != msg || !bytes.Equal(resp.GetPayload(), payload):
					errs <- fmt.Errorf("%s: got reply %q meta %v with %d payload bytes (another call's?)",
						msg, resp.GetMessage(), resp.GetMeta(), len(resp.GetPayload()))
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
	// An exception on the shared connections, then a normal call.
	resp, err := c.Echo(ctx, &echopb.Request{Message: "mux", Fail: true})
	assertTernError(t, resp, err, rpcerr.CodeInternal, rpcerr.ExceptionInternalError, "biz error: failed: mux")
	if resp, err := c.Echo(ctx, &echopb.Request{Message: "last"}); err != nil || resp.GetMessage() != "last" {
		t.Errorf("Echo after the exception over mux = %v, %v", resp, err)
	}
}

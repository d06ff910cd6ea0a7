package interop_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

// TestTernClientKitexServer calls a Kitex v0.16.3 generic server from Tern clients on pooled
// connections in each transport variant; each variant gets a server of its own.
func TestTernClientKitexServer(t *testing.T) {
	for _, v := range kitexpeer.Variants {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			srv := sharedKitexServer(t, "pooled/"+v.String())
			c := newTernClient(t, srv.Addr(), v)
			t.Run("PingPong", func(t *testing.T) { ternPingPong(t, c, v) })
			t.Run("Oneway", func(t *testing.T) { ternOneway(t, c, srv, v) })
			t.Run("DeclaredException", func(t *testing.T) { ternDeclaredException(t, c) })
			t.Run("UnknownMethod", func(t *testing.T) { ternUnknownMethod(t, srv.Addr(), v) })
			t.Run("Metainfo", func(t *testing.T) { ternMetainfo(t, c, v) })
			t.Run("RPCTimeout", func(t *testing.T) { ternRPCTimeout(t, srv.Addr(), v) })
		})
	}
}

func ternPingPong(t *testing.T, c echoClient, v kitexpeer.Variant) {
	ctx := testContext(t)
	for i, msg := range []string{"hello " + v.String(), "", "second call, same connection"} {
		resp, err := c.Echo(ctx, &echo.Request{Message: msg})
		if err != nil {
			t.Fatalf("call %d: Echo: %v", i, err)
		}
		if resp.Message != msg {
			t.Errorf("call %d: message = %q, want %q", i, resp.Message, msg)
		}
		// Kitex's handler always answers an empty (not absent) map; Tern decodes it as such.
		if resp.Meta == nil || len(resp.Meta) != 0 {
			t.Errorf("call %d: meta = %#v, want an empty map", i, resp.Meta)
		}
	}
}

func ternOneway(t *testing.T, c echoClient, srv *kitexpeer.Server, v kitexpeer.Variant) {
	ctx := testContext(t)
	msg := "notify " + v.String()
	if err := c.Notify(ctx, &echo.Request{Message: msg, MetaKeys: []string{"k"}}); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got, err := srv.WaitNotify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got["message"] != msg {
		t.Errorf("Kitex handler got Notify %v, want message %q", got, msg)
	}
	if keys, _ := got["meta_keys"].([]any); len(keys) != 1 || keys[0] != "k" {
		t.Errorf("Kitex handler got meta_keys %#v, want [k]", got["meta_keys"])
	}
	// Kitex writes nothing back for a oneway call; the connection goes on with the next call.
	if resp, err := c.Echo(ctx, &echo.Request{Message: "after notify"}); err != nil || resp.Message != "after notify" {
		t.Errorf("Echo after Notify = %v, %v", resp, err)
	}
}

func ternDeclaredException(t *testing.T, c echoClient) {
	ctx := testContext(t)
	resp, err := c.Echo(ctx, &echo.Request{Message: "boom", Fail: true})
	if err == nil {
		t.Fatalf("Echo with fail=true answered %v", resp)
	}
	var ee *echo.EchoError
	if !errors.As(err, &ee) {
		t.Fatalf("error %T %v is not an *echo.EchoError", err, err)
	}
	if ee.Code != kitexpeer.EchoErrorCode || ee.Message != "failed: boom" {
		t.Errorf("EchoError = %+v, want code 7, message \"failed: boom\"", ee)
	}
	if resp, err := c.Echo(ctx, &echo.Request{Message: "after"}); err != nil || resp.Message != "after" {
		t.Errorf("Echo after the exception = %v, %v", resp, err)
	}
}

// ternUnknownMethod: a Kitex server answers an unknown method with type 1 (unknown method) over the
// TTHeader variants, which name the service (isn), and type 20 (unknown service) over Framed and
// Buffered, which do not; then it closes the connection (with crrst=1 only over TTHeader). The pooled
// Tern client must drop that connection and make the next call on a new one (TestTernPoolAfterKitexCloses
// checks the same without depending on when the client notices the hang-up).
func ternUnknownMethod(t *testing.T, addr string, v kitexpeer.Variant) {
	cli, err := client.NewClient(missingInfo(), client.WithHostPorts(addr),
		client.WithTransportProtocol(ternProtocol(t, v)), client.WithConnectTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	wantType, wantMsg := rpcerr.ExceptionUnknownMethod, "unknown method Missing (service Echo)"
	if !v.HasTTHeader() {
		wantType, wantMsg = rpcerr.ExceptionUnknownService, "unknown service , method Missing"
	}
	for i := range 3 {
		ctx := testContext(t)
		err := cli.Call(ctx, "Missing", &echo.EchoEchoArgs{Req: &echo.Request{Message: "hello"}}, new(echo.EchoEchoResult))
		var re *rpcerr.Error
		if !errors.As(err, &re) {
			t.Fatalf("round %d: Missing: error %T %v is not an *rpcerr.Error", i, err, err)
		}
		if re.Code() != rpcerr.CodeUnimplemented || re.ExceptionType() != wantType || re.Message() != wantMsg {
			t.Errorf("round %d: Missing: code %v, exception type %d, message %q; want %v, %d, %q",
				i, re.Code(), re.ExceptionType(), re.Message(), rpcerr.CodeUnimplemented, wantType, wantMsg)
		}
		// Kitex has closed the connection the error came on: the next call must not be sent on it.
		var result echo.EchoEchoResult
		err = cli.Call(ctx, "Echo", &echo.EchoEchoArgs{Req: &echo.Request{Message: "next"}}, &result)
		if err != nil || result.Success == nil || result.Success.Message != "next" {
			t.Errorf("round %d: Echo right after the unknown method (Kitex closed that connection): %+v, %v (code %v)",
				i, result.Success, err, rpcerr.CodeOf(err))
		}
	}
}

func ternMetainfo(t *testing.T, c echoClient, v kitexpeer.Variant) {
	ctx := testContext(t)
	ctx = metainfo.WithValue(ctx, "trace", "t-"+v.String())
	ctx = metainfo.WithPersistentValue(ctx, "tenant", "p-"+v.String())
	resp, err := c.Echo(ctx, &echo.Request{Message: "m", MetaKeys: []string{"trace", "tenant", "absent"}})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if want := wantMeta(v, "t-"+v.String(), "p-"+v.String()); !equalMaps(resp.Meta, want) {
		t.Errorf("meta the Kitex handler saw = %v, want %v", resp.Meta, want)
	}
}

// ternRPCTimeout: the Kitex handler sleeps 500ms, the Tern client gives up after 100ms.
func ternRPCTimeout(t *testing.T, addr string, v kitexpeer.Variant) {
	c := newTernClient(t, addr, v, client.WithRPCTimeout(100*time.Millisecond))
	ctx := testContext(t)
	start := time.Now()
	resp, err := c.Echo(ctx, &echo.Request{Message: "slow", DelayMs: 500})
	elapsed := time.Since(start)
	if code := rpcerr.CodeOf(err); code != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("Echo(delay 500ms) with a 100ms RPC timeout = %v, %v (code %v); want deadline_exceeded", resp, err, code)
	}
	if elapsed < 90*time.Millisecond || elapsed > 400*time.Millisecond {
		t.Errorf("the timed-out call took %v, want about 100ms", elapsed)
	}
	// The late reply must not confuse the next call.
	if resp, err := c.Echo(ctx, &echo.Request{Message: "quick"}); err != nil || resp.Message != "quick" {
		t.Errorf("Echo after the timeout = %v, %v", resp, err)
	}
}

// TestTernMuxClientKitexServer sends many concurrent calls from a multiplexing Tern client (replies
// matched by sequence id on shared TTHeader connections) to a plain Kitex server, which serves each
// connection's requests in order.
func TestTernMuxClientKitexServer(t *testing.T) {
	for _, v := range []kitexpeer.Variant{kitexpeer.TTHeader, kitexpeer.TTHeaderFramed} {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			srv := sharedKitexServer(t, "mux/"+v.String())
			for _, conns := range []int{1, 3} {
				t.Run(fmt.Sprintf("conns=%d", conns), func(t *testing.T) { ternMux(t, srv, v, conns) })
			}
		})
	}
}

func ternMux(t *testing.T, srv *kitexpeer.Server, v kitexpeer.Variant, conns int) {
	c := newTernClient(t, srv.Addr(), v, client.WithMuxConnection(conns), client.WithRPCTimeout(5*time.Second))
	ctx := testContext(t)
	const workers, perWorker = 32, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				msg := fmt.Sprintf("w%d-%d", w, i)
				cctx := metainfo.WithValue(ctx, "who", msg)
				resp, err := c.Echo(cctx, &echo.Request{Message: msg, MetaKeys: []string{"who"}})
				switch {
				case err != nil:
					errs <- fmt.Errorf("%s: %w", msg, err)
				case resp.Message != msg || resp.Meta["t.who"] != msg:
					errs <- fmt.Errorf("%s: got reply %+v (another call's?)", msg, resp)
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
	// A declared exception and a oneway call on the shared connections.
	var ee *echo.EchoError
	if _, err := c.Echo(ctx, &echo.Request{Message: "mux", Fail: true}); !errors.As(err, &ee) || ee.Code != 7 {
		t.Errorf("declared exception over mux = %v", err)
	}
	msg := fmt.Sprintf("mux notify %d", conns)
	if err := c.Notify(ctx, &echo.Request{Message: msg}); err != nil {
		t.Fatalf("Notify over mux: %v", err)
	}
	if got, err := srv.WaitNotify(ctx); err != nil || got["message"] != msg {
		t.Errorf("Kitex got Notify %v, %v; want message %q", got, err, msg)
	}
	if resp, err := c.Echo(ctx, &echo.Request{Message: "last"}); err != nil || resp.Message != "last" {
		t.Errorf("Echo after Notify over mux = %v, %v", resp, err)
	}
}

// lateHangup is a connection whose peer's hang-up the client has not noticed yet: IsActive stays true.
// It freezes the window in which a pooled client decides whether to reuse a connection the server has
// just closed.
type lateHangup struct{ transport.Conn }

func (lateHangup) IsActive() bool { return true }

// TestTernPoolAfterKitexCloses is the deterministic form of ternUnknownMethod's recovery check. A Kitex
// server closes the connection after an unknown-method (or unknown-service) reply; over TTHeader it
// also says so (crrst=1), over Framed and Buffered nothing can. Kitex's own client never reuses a
// connection a call failed on (remotecli.ConnWrapper.ReleaseConn discards it on any error), so it does
// not depend on seeing the hang-up in time. The Tern client must not either: here it does not see the
// hang-up at all, and the call after the exception must still succeed.
func TestTernPoolAfterKitexCloses(t *testing.T) {
	for _, v := range kitexpeer.Variants {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			srv := sharedKitexServer(t, "pooled/"+v.String())
			var dials atomic.Int32
			dial := func(ctx context.Context, network, addr string, timeout time.Duration) (transport.Conn, error) {
				c, err := tnetpoll.Dial(ctx, network, addr, timeout)
				if err != nil {
					return nil, err
				}
				dials.Add(1)
				return lateHangup{c}, nil
			}
			cli, err := client.NewClient(missingInfo(), client.WithHostPorts(srv.Addr()),
				client.WithTransportProtocol(ternProtocol(t, v)), client.WithDialer(dial))
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			ctx := testContext(t)
			err = cli.Call(ctx, "Missing", &echo.EchoEchoArgs{Req: &echo.Request{Message: "hello"}}, new(echo.EchoEchoResult))
			if rpcerr.CodeOf(err) != rpcerr.CodeUnimplemented {
				t.Fatalf("Missing: %v, want unimplemented", err)
			}
			var result echo.EchoEchoResult
			err = cli.Call(ctx, "Echo", &echo.EchoEchoArgs{Req: &echo.Request{Message: "next"}}, &result)
			if err != nil || result.Success == nil || result.Success.Message != "next" {
				t.Errorf("Echo after Kitex answered Missing and closed the connection: %+v, %v (code %v); "+
					"connections dialled: %d (1 means the closed connection was reused)",
					result.Success, err, rpcerr.CodeOf(err), dials.Load())
			}
		})
	}
}

package client_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/circuitbreak"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/client/callopt"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/loadbalance"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/retry"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/transport"
	tnetpoll "github.com/ternhq/tern/framework/transport/netpoll"
)

// startOn starts an Echo server on addr ("127.0.0.1:0" for any port).
func startOn(t *testing.T, addr string, opts ...server.Option) (*server.Server, string, *echotest.Handler) {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // a restarted server may wait for its old port
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	return echotest.StartServer(t, append([]server.Option{server.WithListener(ln)}, opts...)...)
}

// countingDialer counts dials per address.
type countingDialer struct {
	mu    sync.Mutex
	dials map[string]int
}

func (d *countingDialer) dial(ctx context.Context, network, addr string, timeout time.Duration) (transport.Conn, error) {
	d.mu.Lock()
	d.dials[addr]++
	d.mu.Unlock()
	return tnetpoll.Dial(ctx, network, addr, timeout)
}

func (d *countingDialer) count(addr string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dials[addr]
}

// TestInstanceDiesAndReturns runs calls against three registered servers while one dies (without
// deregistering) and later comes back: retries hide the death from callers, its circuit breaker stops
// the client from dialling it, traffic moves to the live ones, and it gets traffic again once back.
func TestInstanceDiesAndReturns(t *testing.T) {
	reg := registry.NewMemory()
	var addrs [3]string
	var handlers [3]*echotest.Handler
	var servers [3]*server.Server
	for i := range addrs {
		servers[i], addrs[i], handlers[i] = startOn(t, "127.0.0.1:0")
		if err := reg.Register(context.Background(), registry.Info{ServiceName: "Echo", Address: addrs[i]}); err != nil {
			t.Fatal(err)
		}
	}
	dialer := &countingDialer{dials: map[string]int{}}
	cli := echoservice.MustNewClient("Echo",
		client.WithResolver(reg),
		client.WithDialer(dialer.dial),
		client.WithConnectTimeout(time.Second),
		client.WithFailureRetry(retry.Policy{MaxAttempts: 3, Backoff: retry.NoBackoff(), Idempotent: true}),
		client.WithRetryBudget(nil),
		client.WithCircuitBreaker(func(string) circuitbreak.Config {
			return circuitbreak.Config{Window: time.Second, MinSamples: 5, ErrorRate: 0.5, OpenFor: 200 * time.Millisecond, HalfOpenProbes: 1}
		}))
	defer cli.Close()

	call := func(n int) (failed int) {
		for i := 0; i < n; i++ {
			if _, err := cli.Echo(testContext(t), &echo.Request{Message: "m"}); err != nil {
				failed++
			}
		}
		return failed
	}
	if f := call(60); f != 0 {
		t.Fatalf("%d calls failed with every instance up", f)
	}
	// Instance 1 dies without deregistering.
	dead := addrs[1]
	_ = servers[1].Stop()
	before := handlers[0].Started.Load() + handlers[2].Started.Load()
	dialsAtDeath := dialer.count(dead)
	failed := call(300)
	if failed > 3 {
		t.Fatalf("%d of 300 calls failed while one of three instances was down; retries should hide it", failed)
	}
	if got := handlers[0].Started.Load() + handlers[2].Started.Load() - before; got < 300 {
		t.Fatalf("live instances served %d of 300 calls", got)
	}
	if d := dialer.count(dead) - dialsAtDeath; d > 40 {
		t.Fatalf("%d dials to the dead instance in 300 calls: its circuit breaker did not open", d)
	}
	// It comes back on the same address: after the breaker's open time, probes find it and it closes.
	_, _, back := startOn(t, dead)
	time.Sleep(300 * time.Millisecond)
	if f := call(120); f != 0 {
		t.Fatalf("%d calls failed after the instance came back", f)
	}
	if back.Started.Load() == 0 {
		t.Fatal("the instance that came back gets no traffic: its breaker did not close")
	}
}

// slowMiddleware delays every call by d.
func slowMiddleware(d time.Duration) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			time.Sleep(d)
			return next(ctx, req, resp)
		}
	}
}

func TestP2CSendsLessToASlowInstance(t *testing.T) {
	_, fast, fastH := startOn(t, "127.0.0.1:0")
	_, slow, slowH := startOn(t, "127.0.0.1:0", server.WithMiddleware(slowMiddleware(20*time.Millisecond)))
	cli := echoservice.MustNewClient("Echo", client.WithHostPorts(fast, slow), client.WithLoadBalancer(loadbalance.NewP2C()),
		client.WithConnectTimeout(time.Second))
	defer cli.Close()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := cli.Echo(testContext(t), &echo.Request{Message: "p"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	f, s := fastH.Started.Load(), slowH.Started.Load()
	if f+s != 400 || s*100/(f+s) > 30 {
		t.Fatalf("fast instance served %d, slow one %d: want the slow one under 30%%", f, s)
	}
}

func TestBackupRequestAnswersASlowCall(t *testing.T) {
	var calls atomic.Int32
	firstSlow := func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req, resp any) error {
			if calls.Add(1) == 1 {
				time.Sleep(time.Second)
			}
			return next(ctx, req, resp)
		}
	}
	_, addr, _ := startOn(t, "127.0.0.1:0", server.WithMiddleware(firstSlow))
	// An idempotent method gets a backup request, which answers long before the slow first one.
	cli := echoservice.MustNewClient("Echo", client.WithHostPorts(addr), client.WithMuxConnection(1),
		client.WithBackupRequest(50*time.Millisecond, 1), client.WithRetryBudget(nil),
		client.WithMethodRetry("Echo", retry.Policy{MaxAttempts: 1, Idempotent: true}))
	defer cli.Close()
	start := time.Now()
	resp, err := cli.Echo(testContext(t), &echo.Request{Message: "b"})
	if err != nil || resp.Message != "b" {
		t.Fatalf("Echo: %v, %v", resp, err)
	}
	if el := time.Since(start); el > 500*time.Millisecond {
		t.Fatalf("call took %v: the backup request did not answer it", el)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("server saw %d calls, want 2 (the slow one and its backup)", n)
	}

	// A method not marked idempotent never gets a second request while the first may be running.
	calls.Store(0)
	plain := echoservice.MustNewClient("Echo", client.WithHostPorts(addr), client.WithMuxConnection(1),
		client.WithBackupRequest(50*time.Millisecond, 1), client.WithRetryBudget(nil))
	defer plain.Close()
	if _, err := plain.Echo(testContext(t), &echo.Request{Message: "once"}); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("a non-idempotent call was sent %d times", n)
	}
}

func TestNoRetryWithoutIdempotenceOnceSent(t *testing.T) {
	_, addr, h := startOn(t, "127.0.0.1:0")
	cli := echoservice.MustNewClient("Echo", client.WithHostPorts(addr), client.WithRPCTimeout(50*time.Millisecond),
		client.WithFailureRetry(retry.Policy{MaxAttempts: 3, Backoff: retry.NoBackoff()}), client.WithRetryBudget(nil))
	defer cli.Close()
	_, err := cli.Echo(testContext(t), &echo.Request{DelayMs: 300})
	if rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("err = %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := h.Started.Load(); n != 1 {
		t.Fatalf("a sent, non-idempotent call reached the server %d times", n)
	}
	// A call that was never sent (nothing listens) is retried on the next instance.
	dead := "127.0.0.1:1"
	cli2 := echoservice.MustNewClient("Echo", client.WithResolver(discovery.NewStatic(dead, addr)),
		client.WithFailureRetry(retry.Policy{MaxAttempts: 2, Backoff: retry.NoBackoff()}), client.WithRetryBudget(nil))
	defer cli2.Close()
	for i := 0; i < 4; i++ {
		if _, err := cli2.Echo(testContext(t), &echo.Request{Message: "r"}); err != nil {
			t.Fatalf("unsent call not retried: %v", err)
		}
	}
}

func TestFallbackAndACL(t *testing.T) {
	_, addr, _ := startOn(t, "127.0.0.1:0", server.WithACLRules(func(ctx context.Context, req any) error {
		if req.(*echo.EchoEchoArgs).Req.Message == "forbidden" {
			return errors.New("message not allowed")
		}
		return nil
	}))
	cli := echoservice.MustNewClient("Echo", client.WithHostPorts(addr))
	defer cli.Close()
	if _, err := cli.Echo(testContext(t), &echo.Request{Message: "forbidden"}); rpcerr.CodeOf(err) != rpcerr.CodePermissionDenied {
		t.Fatalf("server ACL: err = %v", err)
	}

	fb := echoservice.MustNewClient("Echo", client.WithHostPorts(addr), client.WithRPCTimeout(50*time.Millisecond),
		client.WithFallback(func(ctx context.Context, req, resp any, err error) error {
			resp.(*echo.EchoEchoResult).Success = &echo.Response{Message: "fallback"}
			return nil
		}, client.FallbackOnTimeoutOrCircuitOpen),
		client.WithACLRules(func(ctx context.Context, req any) error {
			if req.(*echo.EchoEchoArgs).Req.Message == "local-deny" {
				return errors.New("denied here")
			}
			return nil
		}))
	defer fb.Close()
	if resp, err := fb.Echo(testContext(t), &echo.Request{DelayMs: 300}); err != nil || resp.Message != "fallback" {
		t.Fatalf("timeout fallback: %v, %v", resp, err)
	}
	if _, err := fb.Echo(testContext(t), &echo.Request{Fail: true}); err == nil {
		t.Fatal("a declared exception must not be replaced by a timeout-only fallback")
	}
	if _, err := fb.Echo(testContext(t), &echo.Request{Message: "local-deny"}); rpcerr.CodeOf(err) != rpcerr.CodePermissionDenied {
		t.Fatalf("client ACL: err = %v", err)
	}
}

func TestServerRegistersWhileListening(t *testing.T) {
	reg := registry.NewMemory()
	svr, addr, _ := startOn(t, "127.0.0.1:0", server.WithRegistry(reg))
	res, err := reg.Resolve(context.Background(), "Echo")
	if err != nil || len(res.Instances) != 1 || res.Instances[0].Address != addr {
		t.Fatalf("registered instances %v, %v; want %s", res.Instances, err, addr)
	}
	cli := echoservice.MustNewClient("Echo", client.WithResolver(reg))
	defer cli.Close()
	if _, err := cli.Echo(testContext(t), &echo.Request{Message: "via registry"}); err != nil {
		t.Fatal(err)
	}
	_ = svr.Stop()
	if res, _ := reg.Resolve(context.Background(), "Echo"); len(res.Instances) != 0 {
		t.Fatalf("still registered after Stop: %v", res.Instances)
	}
}

func TestConsistentHashByPerCallKey(t *testing.T) {
	var hs []*echotest.Handler
	var addrs []string
	for i := 0; i < 3; i++ {
		_, a, h := startOn(t, "127.0.0.1:0")
		addrs, hs = append(addrs, a), append(hs, h)
	}
	cli := echoservice.MustNewClient("Echo", client.WithHostPorts(addrs...),
		client.WithLoadBalancer(loadbalance.NewConsistentHash(loadbalance.DefaultConsistentHashConfig())))
	defer cli.Close()
	for i := 0; i < 20; i++ {
		if _, err := cli.Echo(testContext(t), &echo.Request{Message: "k"}, callopt.WithHashKey("user-42")); err != nil {
			t.Fatal(err)
		}
	}
	served := 0
	for _, h := range hs {
		if h.Started.Load() > 0 {
			served++
		}
	}
	if served != 1 {
		t.Fatalf("calls with one hash key reached %d instances, want 1", served)
	}
}

// TestIdempotentMethodIsRetriedAfterSending: a method the service info marks idempotent (from the IDL
// annotation) is retried after a timeout, though its request reached the server.
func TestIdempotentMethodIsRetriedAfterSending(t *testing.T) {
	_, addr, h := startOn(t, "127.0.0.1:0")
	info := *echoservice.NewServiceInfo()
	info.Methods = map[string]*serviceinfo.MethodInfo{}
	for name, m := range echoservice.NewServiceInfo().Methods {
		mc := *m
		mc.Idempotent = name == "Echo"
		info.Methods[name] = &mc
	}
	cli, err := client.NewClient(&info, client.WithHostPorts(addr), client.WithRPCTimeout(50*time.Millisecond),
		client.WithFailureRetry(retry.Policy{MaxAttempts: 2, Backoff: retry.NoBackoff()}), client.WithRetryBudget(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	err = cli.Call(testContext(t), "Echo", &echo.EchoEchoArgs{Req: &echo.Request{DelayMs: 300}}, new(echo.EchoEchoResult))
	if rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("err = %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := h.Started.Load(); n != 2 {
		t.Fatalf("an idempotent call that timed out reached the server %d times, want 2", n)
	}
}

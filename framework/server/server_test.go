package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/internal/gen/echo/greeterservice"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/transport"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var allProtocols = []transport.Protocol{transport.TTHeader, transport.TTHeaderFramed, transport.Framed, transport.Buffered}

func TestMultiServiceRouting(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			g := greeterservice.MustNewClient("greeter", client.WithHostPorts(addr), client.WithTransportProtocol(p))
			defer g.Close()
			e := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTransportProtocol(p))
			defer e.Close()
			if got, err := g.Hello(testContext(t), "tern"); err != nil || got != "hello, tern" {
				t.Fatalf("Hello = %q, %v", got, err)
			}
			if got, err := e.Echo(testContext(t), &echo.Request{Message: "x"}); err != nil || got.Message != "x" {
				t.Fatalf("Echo = %v, %v", got, err)
			}
		})
	}
}

func TestConflictingMethodsNeedFallback(t *testing.T) {
	renamed := *greeterservice.NewServiceInfo()
	renamed.ServiceName = "Greeter2"
	svr := server.NewServer(server.WithServiceAddr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}), server.WithLogger(echotest.QuietLogger()))
	h := echotest.NewHandler()
	if err := greeterservice.RegisterService(svr, h); err != nil {
		t.Fatal(err)
	}
	if err := svr.RegisterService(&renamed, h); err != nil {
		t.Fatal(err)
	}
	err := svr.Start()
	if err == nil || !strings.Contains(err.Error(), "WithFallbackService") {
		t.Fatalf("Start with ambiguous methods: err = %v", err)
	}

	svr = server.NewServer(server.WithServiceAddr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}), server.WithLogger(echotest.QuietLogger()))
	if err := greeterservice.RegisterService(svr, h); err != nil {
		t.Fatal(err)
	}
	if err := svr.RegisterService(&renamed, h, server.WithFallbackService()); err != nil {
		t.Fatal(err)
	}
	if err := svr.Start(); err != nil {
		t.Fatalf("Start with a fallback service: %v", err)
	}
	defer svr.Stop()
	g := greeterservice.MustNewClient("g", client.WithHostPorts(svr.Addr().String()), client.WithTransportProtocol(transport.Framed))
	defer g.Close()
	if got, err := g.Hello(testContext(t), "x"); err != nil || got != "hello, x" {
		t.Fatalf("Hello via fallback = %q, %v", got, err)
	}
}

// missingInfo describes a service with one method the test server does not have.
func missingInfo(service string) *serviceinfo.ServiceInfo {
	return &serviceinfo.ServiceInfo{
		ServiceName: service,
		Methods: map[string]*serviceinfo.MethodInfo{
			"Missing": {
				Name:      "Missing",
				NewArgs:   func() any { return new(echo.GreeterHelloArgs) },
				NewResult: func() any { return new(echo.GreeterHelloResult) },
			},
			"Hello": {
				Name:      "Hello",
				NewArgs:   func() any { return new(echo.GreeterHelloArgs) },
				NewResult: func() any { return new(echo.GreeterHelloResult) },
			},
		},
	}
}

func TestUnknownMethodAndService(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	tests := []struct {
		name, service, method string
		proto                 transport.Protocol
		wantType              int32
	}{
		{"method/TTHeader", "Greeter", "Missing", transport.TTHeader, rpcerr.ExceptionUnknownMethod},
		{"method/Framed", "Greeter", "Missing", transport.Framed, rpcerr.ExceptionUnknownMethod},
		{"method/Buffered", "Greeter", "Missing", transport.Buffered, rpcerr.ExceptionUnknownMethod},
		{"service/TTHeader", "Nope", "Hello", transport.TTHeader, rpcerr.ExceptionUnknownService},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cli, err := client.NewClient(missingInfo(tt.service), client.WithHostPorts(addr), client.WithTransportProtocol(tt.proto))
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			for i := 0; i < 2; i++ { // the connection stays usable after the error
				err = cli.Call(testContext(t), tt.method, &echo.GreeterHelloArgs{Name: "x"}, new(echo.GreeterHelloResult))
				var re *rpcerr.Error
				if !errors.As(err, &re) || re.Code() != rpcerr.CodeUnimplemented || re.ExceptionType() != tt.wantType {
					t.Fatalf("err = %v, want unimplemented with exception type %d", err, tt.wantType)
				}
			}
		})
	}
}

func TestHandlerPanicIsRecovered(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	for _, p := range allProtocols {
		cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTransportProtocol(p))
		_, err := cli.Echo(testContext(t), &echo.Request{Message: "x", Panic: true})
		if rpcerr.CodeOf(err) != rpcerr.CodeInternal || !strings.Contains(err.Error(), "panic") {
			t.Fatalf("%v: panicking handler: err = %v", p, err)
		}
		if resp, err := cli.Echo(testContext(t), &echo.Request{Message: "after"}); err != nil || resp.Message != "after" {
			t.Fatalf("%v: call after panic: %v, %v", p, resp, err)
		}
		cli.Close()
	}
}

func TestOnePortAnswersEveryProtocolAtOnce(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for _, p := range allProtocols {
		cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTransportProtocol(p))
		defer cli.Close()
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					msg := p.String() + strings.Repeat("x", i)
					resp, err := cli.Echo(testContext(t), &echo.Request{Message: msg})
					if err != nil || resp.Message != msg {
						errs <- errors.New(p.String() + ": " + errString(err))
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func errString(err error) string {
	if err == nil {
		return "wrong reply"
	}
	return err.Error()
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestBadInputClosesOnlyThatConnection(t *testing.T) {
	logs := &logBuffer{}
	_, addr, _ := echotest.StartServer(t, server.WithLogger(slog.New(slog.NewTextHandler(logs, nil))),
		server.WithMaxFrameSize(1<<20), server.WithReadWriteTimeout(500*time.Millisecond))
	good := echoservice.MustNewClient("echo", client.WithHostPorts(addr))
	defer good.Close()

	valid := validFramedRequest(t)
	rng := rand.New(rand.NewSource(1))
	random := make([]byte, 256)
	rng.Read(random)
	huge := make([]byte, 8)
	binary.BigEndian.PutUint32(huge, 0x7FFFFFF0) // 2 GiB framed length ...
	binary.BigEndian.PutUint32(huge[4:], transport.ThriftMagic|uint32(thrift.CALL))
	hugeHeader := []byte{0x7F, 0xFF, 0xFF, 0xF0, 0x10, 0x00, 0, 0} // ... and TTHeader length
	cases := []struct {
		name    string
		payload []byte
		log     string
	}{
		{"random bytes", random, "protocol error"},
		{"unknown protocol", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "protocol error"},
		{"2 GiB framed length", huge, "request too large"},
		{"2 GiB TTHeader length", hugeHeader, "request too large"},
		{"truncated frame", valid[:len(valid)-3], ""},
		{"garbage body", append(valid[:8:8], bytes.Repeat([]byte{0xEE}, len(valid)-8)...), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write(c.payload); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(conn) // the server must close the connection
			if err != nil {
				t.Fatalf("connection not closed by the server: %v (read %d bytes)", err, len(got))
			}
			if c.log != "" && !strings.Contains(logs.String(), c.log) {
				t.Fatalf("no log line saying %q; logs:\n%s", c.log, logs.String())
			}
			if resp, err := good.Echo(testContext(t), &echo.Request{Message: "still"}); err != nil || resp.Message != "still" {
				t.Fatalf("well-behaved client after %s: %v, %v", c.name, resp, err)
			}
		})
	}
}

// validFramedRequest returns the bytes of a Framed Echo call.
func validFramedRequest(t *testing.T) []byte {
	args := &echo.EchoEchoArgs{Req: &echo.Request{Message: "hello"}}
	n := thrift.MessageSize("Echo", args)
	b := make([]byte, 4+n)
	binary.BigEndian.PutUint32(b, uint32(n))
	thrift.EncodeMessage(b[4:], "Echo", thrift.CALL, 1, args)
	return b
}

func TestGracefulShutdownCompletesInFlightCalls(t *testing.T) {
	svr, addr, h := echotest.StartServer(t, server.WithExitWaitTime(10*time.Second))
	pooled := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithConnectTimeout(5*time.Second))
	defer pooled.Close()
	mux := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithMuxConnection(1))
	defer mux.Close()
	framed := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTransportProtocol(transport.Framed), client.WithConnectTimeout(5*time.Second))
	defer framed.Close()
	clients := []echoservice.Client{pooled, mux, framed}

	const calls = 100
	var ok atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := clients[i%len(clients)].Echo(testContext(t), &echo.Request{Message: "inflight", DelayMs: 500})
			if err != nil || resp.Message != "inflight" {
				errs <- errors.New(errString(err))
				return
			}
			ok.Add(1)
		}()
	}
	for h.Started.Load() < calls { // every call is in a handler
		time.Sleep(time.Millisecond)
	}
	if err := svr.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("in-flight call failed: %v", err)
	}
	if ok.Load() != calls {
		t.Fatalf("%d of %d in-flight calls completed", ok.Load(), calls)
	}
	// After the stop, calls fail loudly instead of vanishing.
	for _, cli := range clients {
		_, err := cli.Echo(testContext(t), &echo.Request{Message: "late"})
		if rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
			t.Fatalf("call after Stop: err = %v, want unavailable", err)
		}
	}
}

func TestMaxConnIdleTime(t *testing.T) {
	_, addr, _ := echotest.StartServer(t, server.WithMaxConnIdleTime(100*time.Millisecond))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("idle connection not closed: %v", err)
	}
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Fatalf("closed after %v, before the idle time", el)
	}
}

func TestStopRightAfterStartReleasesThePort(t *testing.T) {
	for i := 0; i < 20; i++ {
		svr := server.NewServer(server.WithServiceAddr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}), server.WithLogger(echotest.QuietLogger()))
		if err := echoservice.RegisterService(svr, echotest.NewHandler()); err != nil {
			t.Fatal(err)
		}
		if err := svr.Start(); err != nil {
			t.Fatal(err)
		}
		addr := svr.Addr().String()
		if err := svr.Stop(); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Fatalf("round %d: %s still accepts connections after Stop", i, addr)
		}
	}
}

func TestStopBeforeStartLeavesNothingRunning(t *testing.T) {
	svr := server.NewServer(server.WithServiceAddr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}), server.WithLogger(echotest.QuietLogger()))
	if err := echoservice.RegisterService(svr, echotest.NewHandler()); err != nil {
		t.Fatal(err)
	}
	if err := svr.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := svr.Start(); err == nil {
		t.Fatal("Start after Stop succeeded; the server could never be stopped")
	}
}

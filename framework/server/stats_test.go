package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/limit"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/stats"
	"github.com/ternhq/tern/framework/transport"
)

// seen is what a tracer saw of one finished call.
type seen struct {
	method string
	proto  transport.Protocol
	events []stats.Event
	code   rpcerr.Code
}

// callLog is a Tracer that keeps what it sees.
type callLog struct {
	mu    sync.Mutex
	calls []seen
}

func (l *callLog) Start(ctx context.Context, _ *stats.Call) context.Context { return ctx }

func (l *callLog) Finish(_ context.Context, c *stats.Call) {
	s := seen{method: c.Info().Method(), proto: c.Info().Protocol(), code: rpcerr.CodeOf(c.Err())}
	for _, e := range stats.Events(stats.Server) {
		if _, ok := c.Time(e); ok {
			s.events = append(s.events, e)
		}
	}
	l.mu.Lock()
	l.calls = append(l.calls, s)
	l.mu.Unlock()
}

// wait returns the calls finished once there are n of them.
func (l *callLog) wait(t *testing.T, n int) []seen {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		l.mu.Lock()
		got := slices.Clone(l.calls)
		l.mu.Unlock()
		if len(got) >= n {
			return got
		}
	}
	t.Fatalf("%d calls finished, want %d", len(l.calls), n)
	return nil
}

var (
	allServerEvents = stats.Events(stats.Server)
	// calls that no transport recorded (gRPC) are recorded by the stats middleware, without the
	// transport's events
	middlewareEvents = []stats.Event{stats.ServerRequestRead, stats.ServerHandlerStart, stats.ServerHandlerEnd, stats.ServerFinish}
)

// TestServerTracerPerProtocol: calls over Kitex Protobuf and gRPC are traced as Thrift ones are, with
// their outcome.
func TestServerTracerPerProtocol(t *testing.T) {
	cases := []struct {
		name     string
		proto    transport.Protocol
		value    string
		wantCode rpcerr.Code
		want     []stats.Event
	}{
		{"kitex protobuf", transport.TTHeader, "p", rpcerr.CodeOK, allServerEvents},
		{"grpc", transport.GRPC, "p", rpcerr.CodeOK, middlewareEvents},
		{"grpc error", transport.GRPC, "fail", rpcerr.CodeNotFound, middlewareEvents},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log := new(callLog)
			_, addr := echotest.StartPbServer(t, server.WithTracer(log))
			cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(c.proto))
			defer cli.Close()
			_, err := cli.Say(testContext(t), &pbecho.Msg{Value: c.value})
			if rpcerr.CodeOf(err) != c.wantCode {
				t.Fatalf("call: %v, want code %v", err, c.wantCode)
			}
			got := log.wait(t, 1)[0]
			if got.method != "Say" || got.code != c.wantCode || !slices.Equal(got.events, c.want) {
				t.Fatalf("traced %+v, want method Say, code %v, events %v", got, c.wantCode, c.want)
			}
		})
	}
}

// TestServerTracerLimitRejection: a call refused by a limit is traced with the refusal, and never
// reached the handler.
func TestServerTracerLimitRejection(t *testing.T) {
	log := new(callLog)
	_, addr, _ := echotest.StartServer(t, server.WithTracer(log), server.WithLimit(limit.Config{QPS: 0.001, QPSBurst: 1}))
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr))
	defer cli.Close()
	ctx := testContext(t)
	if _, err := cli.Echo(ctx, &echo.Request{Message: "first"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Echo(ctx, &echo.Request{Message: "second"}); rpcerr.CodeOf(err) != rpcerr.CodeResourceExhausted {
		t.Fatalf("second call: %v, want resource exhausted", err)
	}
	calls := log.wait(t, 2)
	refused := []stats.Event{stats.ServerRequestRead, stats.ServerResponseWritten, stats.ServerFinish}
	if calls[1].code != rpcerr.CodeResourceExhausted || !slices.Equal(calls[1].events, refused) {
		t.Fatalf("refused call traced as %+v, want code resource exhausted and events %v", calls[1], refused)
	}
}

// streamContextHandler answers Repeat with whether its stream's context carries the call's record.
type streamContextHandler struct{ echotest.PbHandler }

func (streamContextHandler) Repeat(_ *pbecho.Msg, stream pbecho.PbEcho_RepeatServer) error {
	return stream.Send(&pbecho.Msg{Value: strconv.FormatBool(stats.FromContext(stream.Context()) != nil)})
}

// TestServerTracerStreaming: a streaming call is traced, and its handler's stream carries the tracers'
// context (for spans and log ids downstream).
func TestServerTracerStreaming(t *testing.T) {
	log := new(callLog)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := server.NewServer(server.WithListener(ln), server.WithLogger(echotest.QuietLogger()), server.WithTracer(log))
	if err := pbechoservice.RegisterService(svr, streamContextHandler{}); err != nil {
		t.Fatal(err)
	}
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	defer svr.Stop()
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(ln.Addr().String()), client.WithTransportProtocol(transport.GRPC))
	defer cli.Close()
	stream, err := cli.Repeat(testContext(t), &pbecho.Msg{Value: "x", Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	m, err := stream.Recv()
	if err != nil || m.GetValue() != "true" {
		t.Fatalf("Recv: %v, %v; want the handler to see the call's record", m, err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("second Recv: %v, want EOF", err)
	}
	got := log.wait(t, 1)[0]
	if got.method != "Repeat" || got.code != rpcerr.CodeOK || !slices.Equal(got.events, middlewareEvents) {
		t.Fatalf("traced %+v, want Repeat, OK, events %v", got, middlewareEvents)
	}
}

package interop_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/transport"
)

// TestMain stops the shared Kitex servers once every test is over. Stopping a Kitex v0.16.3 server while
// other connections are being opened in the same process is unsafe. transServer.Shutdown closes the
// listener — and netpoll v0.7.2's listener.Close closes one descriptor twice (syscall.Close(ln.fd), then
// ln.file.Close(); ln.fd is ln.file's) — then sleeps 100ms, then evl.Shutdown detaches that descriptor
// number from the poller (epoll_ctl DEL) and calls listener.Close again. By then the number may belong
// to a new connection of any test in the process, which is detached (it never sees a read event: the
// call hangs until its deadline) or closed. Seen here as Kitex-to-Kitex and Tern-to-Kitex calls hanging
// and "NETPOLL: accept conn failed" floods when servers were stopped per subtest. So the Kitex servers
// these tests talk to are started once and stopped here.
func TestMain(m *testing.M) {
	code := m.Run()
	stopSharedServers()
	os.Exit(code)
}

var shared struct {
	sync.Mutex
	servers map[string]*kitexpeer.Server
	stops   []func() error // other Kitex servers, see stopAtExit
}

// stopAtExit has TestMain stop a Kitex server once every test is over.
func stopAtExit(stop func() error) {
	shared.Lock()
	defer shared.Unlock()
	shared.stops = append(shared.stops, stop)
}

// sharedKitexServer returns the Kitex server named name, starting it on first use; it runs until
// TestMain stops it. Tests that wait for Notify use a name of their own.
func sharedKitexServer(t testing.TB, name string) *kitexpeer.Server {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if s, ok := shared.servers[name]; ok {
		return s
	}
	s, err := kitexpeer.NewServer("")
	if err != nil {
		t.Fatalf("start Kitex server %s: %v", name, err)
	}
	if shared.servers == nil {
		shared.servers = map[string]*kitexpeer.Server{}
	}
	shared.servers[name] = s
	return s
}

func stopSharedServers() {
	shared.Lock()
	defer shared.Unlock()
	for name, s := range shared.servers {
		if err := s.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop Kitex server %s: %v\n", name, err)
		}
	}
	shared.servers = nil
	for _, stop := range shared.stops {
		if err := stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop Kitex server: %v\n", err)
		}
	}
	shared.stops = nil
}

// callTimeout bounds every test context: far above what any call here needs, far below go test's own.
const callTimeout = 10 * time.Second

// testContext returns a context with a deadline, cancelled when the test ends.
func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}

// ternProtocol is the Tern client protocol that puts v on the wire.
func ternProtocol(t testing.TB, v kitexpeer.Variant) transport.Protocol {
	t.Helper()
	switch v {
	case kitexpeer.TTHeader:
		return transport.TTHeader
	case kitexpeer.TTHeaderFramed:
		return transport.TTHeaderFramed
	case kitexpeer.Framed:
		return transport.Framed
	case kitexpeer.Buffered:
		return transport.Buffered
	}
	t.Fatalf("no Tern protocol for variant %v", v)
	return 0
}

// newKitexClient returns a Kitex generic client for Echo at addr, closed when the test ends.
func newKitexClient(t testing.TB, addr string, v kitexpeer.Variant) *kitexpeer.Client {
	t.Helper()
	c, err := kitexpeer.NewClient(addr, v)
	if err != nil {
		t.Fatalf("kitexpeer.NewClient(%s): %v", v, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// echoClient is the generated Tern client of service Echo.
type echoClient = echoservice.Client

// newTernClient returns a Tern Echo client for addr speaking v, closed when the test ends.
func newTernClient(t testing.TB, addr string, v kitexpeer.Variant, opts ...client.Option) echoClient {
	t.Helper()
	opts = append([]client.Option{
		client.WithHostPorts(addr),
		client.WithTransportProtocol(ternProtocol(t, v)),
		client.WithConnectTimeout(time.Second),
	}, opts...)
	c, err := echoservice.NewClient("Echo", opts...)
	if err != nil {
		t.Fatalf("echoservice.NewClient(%s): %v", v, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// missingInfo describes service Echo with an extra method Missing that no server implements (arguments
// and result shaped like Echo's), as framework/server/server_test.go does for Greeter.
func missingInfo() *serviceinfo.ServiceInfo {
	return &serviceinfo.ServiceInfo{
		ServiceName:  "Echo",
		PackageName:  "echo",
		PayloadCodec: serviceinfo.Thrift,
		Methods: map[string]*serviceinfo.MethodInfo{
			"Missing": {
				Name:      "Missing",
				NewArgs:   func() any { return new(echo.EchoEchoArgs) },
				NewResult: func() any { return new(echo.EchoEchoResult) },
			},
			"Echo": {
				Name:      "Echo",
				NewArgs:   func() any { return new(echo.EchoEchoArgs) },
				NewResult: func() any { return new(echo.EchoEchoResult) },
			},
		},
	}
}

// metaOf returns a Kitex generic response's meta field as strings.
func metaOf(t testing.TB, resp map[string]any) map[string]string {
	t.Helper()
	raw, ok := resp["meta"]
	if !ok || raw == nil {
		return map[string]string{}
	}
	m, ok := raw.(map[string]any)
	if !ok {
		t.Fatalf("meta is %T %v, want a JSON object", raw, raw)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// wantMeta is what Response.meta holds after a call carrying transient trace=<t> and persistent
// tenant=<p> that asks for keys trace, tenant and absent: both values over TTHeader, nothing over Framed
// and Buffered (no header, so metainfo does not travel — as between two Kitex peers).
func wantMeta(v kitexpeer.Variant, transient, persistent string) map[string]string {
	if !v.HasTTHeader() {
		return map[string]string{}
	}
	return map[string]string{"t.trace": transient, "p.tenant": persistent}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// memReader is an in-memory transport.Reader over one byte slice. With trickle set, Len reports only
// the bytes some Peek or Next has already waited for, as on a connection where the message arrives a
// little at a time; without it, everything has arrived.
type memReader struct {
	b         []byte
	off       int
	trickle   bool
	delivered int // with trickle: bytes "arrived" so far
}

var _ transport.Reader = (*memReader)(nil)

func (r *memReader) wait(n int) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("memReader: negative length %d", n)
	}
	if r.off+n > len(r.b) {
		return nil, io.EOF // a blocking read on a connection the peer closed
	}
	r.delivered = max(r.delivered, r.off+n)
	return r.b[r.off : r.off+n : r.off+n], nil
}

func (r *memReader) Next(n int) ([]byte, error) {
	b, err := r.wait(n)
	if err == nil {
		r.off += n
	}
	return b, err
}

func (r *memReader) Peek(n int) ([]byte, error) { return r.wait(n) }

func (r *memReader) Skip(n int) error {
	_, err := r.Next(n)
	return err
}

func (r *memReader) Release() error { return nil }

func (r *memReader) Len() int {
	if r.trickle {
		return r.delivered - r.off
	}
	return len(r.b) - r.off
}

package interop_test

import (
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	kmetainfo "github.com/bytedance/gopkg/cloud/metainfo"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/metainfo"
)

// captureGRPCHeaders listens on a fresh loopback port, runs call with its address in a goroutine and
// returns the header fields of the first HTTP/2 request that arrives. It plays just enough of an HTTP/2
// server (preface, SETTINGS and their acknowledgement) for a client to send its request, then hangs up.
func captureGRPCHeaders(t *testing.T, call func(addr string)) []hpack.HeaderField {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		fields []hpack.HeaderField
		err    error
	}
	got := make(chan result, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- result{err: err}
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(conn, make([]byte, len(http2.ClientPreface))); err != nil {
			got <- result{err: err}
			return
		}
		fr := http2.NewFramer(conn, conn)
		fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
		if err := fr.WriteSettings(); err != nil {
			got <- result{err: err}
			return
		}
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				got <- result{err: err}
				return
			}
			switch f := f.(type) {
			case *http2.SettingsFrame:
				if !f.IsAck() {
					_ = fr.WriteSettingsAck()
				}
			case *http2.MetaHeadersFrame:
				got <- result{fields: f.Fields}
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() { defer close(done); call(ln.Addr().String()) }()
	r := <-got
	ln.Close()
	<-done
	if r.err != nil {
		t.Fatalf("capture: %v", r.err)
	}
	return r.fields
}

// grpcRequestShape renders the request headers both peers must agree on; grpc-timeout only as present
// or absent, its value being a remaining time.
func grpcRequestShape(fields []hpack.HeaderField) string {
	var out []string
	for _, f := range fields {
		switch {
		case f.Name == "grpc-timeout":
			out = append(out, "grpc-timeout: <set>")
		case strings.HasPrefix(f.Name, ":") && f.Name != ":authority", f.Name == "content-type", f.Name == "te",
			strings.HasPrefix(f.Name, "rpc-transit-"), strings.HasPrefix(f.Name, "rpc-persist-"):
			out = append(out, fmt.Sprintf("%s: %s", f.Name, f.Value))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestGRPCRequestHeaderParity: a Tern gRPC client's request carries the headers a Kitex gRPC client's
// does for the same call: method, scheme, path /<package>.<Service>/<Method>, content-type, te, a
// grpc-timeout for the call's deadline, and metainfo as rpc-transit-<key> / rpc-persist-<key>. (Kitex
// also sends its service names: :authority, source-service, destination-service ...)
func TestGRPCRequestHeaderParity(t *testing.T) {
	ctx := testContext(t)
	req := &echopb.Request{Message: "hi"}
	kitex := captureGRPCHeaders(t, func(addr string) {
		c, err := kitexpeer.NewPBClient(addr, kitexpeer.PBGRPC, nil)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		cctx := kmetainfo.WithPersistentValue(kmetainfo.WithValue(ctx, "trace_id", "t1"), "tenant", "p1")
		_, _ = c.Echo(cctx, req)
	})
	tern := captureGRPCHeaders(t, func(addr string) {
		c := newTernGRPCClient(t, addr)
		cctx := metainfo.WithPersistentValue(metainfo.WithValue(ctx, "trace_id", "t1"), "tenant", "p1")
		_, _ = c.Echo(cctx, req)
	})
	want := strings.Join([]string{
		":method: POST", ":path: /kitexpeer.echo.Echo/Echo", ":scheme: http", "content-type: application/grpc",
		"grpc-timeout: <set>", "rpc-persist-tenant: p1", "rpc-transit-trace-id: t1", "te: trailers",
	}, "\n")
	if got := grpcRequestShape(kitex); got != want {
		t.Errorf("Kitex request headers:\n%s\nwant\n%s", got, want)
	}
	if got := grpcRequestShape(tern); got != want {
		t.Errorf("Tern request headers:\n%s\nwant\n%s", got, want)
	}
}

package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/transport"
)

// BenchmarkEcho measures a 1 KiB echo through the whole stack over loopback: client, middleware-free
// endpoint chain, codec, netpoll, server, handler and back.
func BenchmarkEcho(b *testing.B) {
	_, addr, _ := echotest.StartServer(b)
	msg := strings.Repeat("x", 1024)
	cases := []struct {
		name string
		opts []client.Option
	}{
		{"TTHeader/pooled", nil},
		{"TTHeader/mux", []client.Option{client.WithMuxConnection(2)}},
		{"Framed/pooled", []client.Option{client.WithTransportProtocol(transport.Framed)}},
		{"Buffered/pooled", []client.Option{client.WithTransportProtocol(transport.Buffered)}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cli := echoservice.MustNewClient("echo", append([]client.Option{client.WithHostPorts(addr)}, c.opts...)...)
			defer cli.Close()
			req := &echo.Request{Message: msg}
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := cli.Echo(ctx, req); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkCall measures the client's own work for a pooled 1 KiB TTHeader echo, without a socket: an
// in-memory connection answers each request as it is flushed.
func BenchmarkCall(b *testing.B) {
	msg := strings.Repeat("x", 1024)
	conn := &echoConn{result: &echo.EchoEchoResult{Success: &echo.Response{Message: msg}}}
	dial := func(context.Context, string, string, time.Duration) (transport.Conn, error) { return conn, nil }
	cli := echoservice.MustNewClient("echo", client.WithHostPorts("127.0.0.1:1"), client.WithDialer(dial))
	defer cli.Close()
	req := &echo.Request{Message: msg}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := cli.Echo(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

package client_test

import (
	"context"
	"strings"
	"testing"

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

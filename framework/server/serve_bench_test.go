package server_test

import (
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/server"
)

// BenchmarkServe measures the server's own work for one pooled TTHeader Echo call of 1 KiB, without a
// socket: reading and decoding the request, the handler's context, the handler, encoding the reply.
func BenchmarkServe(b *testing.B) {
	svr := server.NewServer(server.WithLogger(echotest.QuietLogger()))
	if err := echoservice.RegisterService(svr, plainEcho{}); err != nil {
		b.Fatal(err)
	}
	tc := &memConn{}
	tc.push(echoRequest(1, strings.Repeat("x", 1024), false))
	onRead, _, err := server.ServeConnForTest(svr, tc)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		tc.rewind()
		if err := onRead(); err != nil {
			b.Fatal(err)
		}
		tc.discard()
	}
}

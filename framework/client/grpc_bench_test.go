package client_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/transport"
)

// BenchmarkGRPCEcho measures a unary gRPC call with a 1 KiB message through the whole stack over
// loopback: generated client, HTTP/2 transport, the server's shared port, handler and back.
func BenchmarkGRPCEcho(b *testing.B) {
	_, addr := echotest.StartPbServer(b)
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(transport.GRPC))
	defer cli.Close()
	req := &pbecho.Msg{Value: strings.Repeat("x", 1024)}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(req.Value)))
	for b.Loop() {
		if _, err := cli.Say(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

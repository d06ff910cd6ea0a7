package testgen_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/base"
	itempb "github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/item"
	"github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/item/itemservice"
	"github.com/ternhq/tern/framework/transport"
)

// startShop serves shop{} on a loopback port with the generated NewServer and returns a generated
// client of it, made with opts.
func startShop(t *testing.T, opts ...client.Option) itemservice.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := itemservice.NewServer(shop{}, server.WithListener(ln), server.WithExitWaitTime(time.Second),
		server.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	cli := itemservice.MustNewClient("shop", append(opts, client.WithHostPorts(ln.Addr().String()))...)
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}

// The generated unary client and server glue over a loopback server, as Kitex Protobuf (over
// TTHeader) and as gRPC: responses, a handler's missing response, a message of an imported file, a
// well-known type and handler errors.
func TestProtoServiceEndToEnd(t *testing.T) {
	for _, p := range []transport.Protocol{transport.TTHeader, transport.GRPC} {
		t.Run(p.String(), func(t *testing.T) {
			testUnaryCalls(t, startShop(t, client.WithTransportProtocol(p)))
		})
	}
}

func testUnaryCalls(t *testing.T, cli itemservice.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tests := []struct {
		name  string
		page  *base.Page
		items int
		err   string // a handler error's message, which the client's error carries
	}{
		{"three items", &base.Page{Offset: 10, Limit: 3}, 3, ""},
		{"no response", &base.Page{}, 0, ""},
		{"no request", nil, 0, ""},
		{"handler error", &base.Page{Limit: -1}, 0, errBadLimit.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req *itempb.ListItemsReq
			if tt.page != nil {
				req = &itempb.ListItemsReq{Page: tt.page}
			}
			resp, err := cli.ListItems(ctx, req)
			if tt.err != "" {
				if rpcerr.CodeOf(err) == rpcerr.CodeOK || !strings.Contains(err.Error(), tt.err) || resp != nil {
					t.Fatalf("ListItems = %v, %v; want an error with %q", resp, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ListItems: %v", err)
			}
			if resp == nil || len(resp.GetItems()) != tt.items {
				t.Fatalf("ListItems = %v, want %d items", resp, tt.items)
			}
			if tt.items > 0 && resp.Items[0].GetId() != int64(tt.page.Offset) {
				t.Errorf("first item %v, want id %d", resp.Items[0], tt.page.Offset)
			}
		})
	}
	empty, err := cli.Clear(ctx, &base.Page{Limit: 1})
	if err != nil || empty == nil || proto.Size(empty) != 0 {
		t.Fatalf("Clear = %v, %v", empty, err)
	}
}

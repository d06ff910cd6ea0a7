package main

import (
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/app/stock/internal/inventory"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/stock"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

// startStock serves StockImpl on SQLite on a loopback port and returns a client speaking protocol p.
func startStock(t *testing.T, p transport.Protocol) stockservice.Client {
	t.Helper()
	ctx := platformtest.Context(t, 10*time.Second)
	store := inventory.New(platformtest.SQLite(t))
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := stockservice.NewServer(&StockImpl{store: store}, server.WithListener(ln), server.WithSignalHandling(false),
		server.WithLogger(slog.New(slog.DiscardHandler)))
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	cli, err := stockservice.NewClient("stock", client.WithHostPorts(ln.Addr().String()),
		client.WithTransportProtocol(p), client.WithRPCTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}

// The handler round-trips every method over Kitex Protobuf on TTHeader (what cart speaks) and over gRPC,
// and invalid requests come back as InvalidArgument.
func TestHandlerOverTheWire(t *testing.T) {
	for _, p := range []transport.Protocol{transport.TTHeader, transport.GRPC} {
		t.Run(p.String(), func(t *testing.T) {
			ctx := platformtest.Context(t, 20*time.Second)
			cli := startStock(t, p)
			if _, err := cli.SetStock(ctx, &stock.SetStockReq{ItemId: 1, Available: 5}); err != nil {
				t.Fatal(err)
			}
			req := &stock.DeductReq{OrderId: "o1", Lines: []*stock.Line{{ItemId: 1, Quantity: 2}}}
			if resp, err := cli.Deduct(ctx, req); err != nil || !resp.GetOk() {
				t.Fatalf("Deduct = %v, %v", resp, err)
			}
			short := &stock.DeductReq{OrderId: "o2", Lines: []*stock.Line{{ItemId: 1, Quantity: 9}}}
			if resp, err := cli.Deduct(ctx, short); err != nil || resp.GetOk() || len(resp.GetShortages()) != 1 ||
				resp.GetShortages()[0].GetAvailable() != 3 {
				t.Fatalf("short Deduct = %v, %v", resp, err)
			}
			if resp, err := cli.Release(ctx, &stock.ReleaseReq{OrderId: "o1"}); err != nil || !resp.GetReleased() {
				t.Fatalf("Release = %v, %v", resp, err)
			}
			got, err := cli.GetStock(ctx, &stock.GetStockReq{ItemIds: []int64{1, 2}})
			if err != nil || len(got.GetLevels()) != 2 || got.GetLevels()[0].GetAvailable() != 5 || got.GetLevels()[1].GetAvailable() != 0 {
				t.Fatalf("GetStock = %v, %v", got, err)
			}
			if _, err := cli.Deduct(ctx, &stock.DeductReq{OrderId: ""}); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
				t.Fatalf("invalid Deduct = %v, want InvalidArgument", err)
			}
		})
	}
}

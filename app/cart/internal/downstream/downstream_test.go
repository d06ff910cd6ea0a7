package downstream_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/app/cart/internal/carts"
	"github.com/ternhq/tern/app/cart/internal/downstream"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/item"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
	"github.com/ternhq/tern/rpc_gen/stock"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

// items answers BatchGetItems with item 1 only.
type items struct{ item.Item }

func (items) BatchGetItems(_ context.Context, req *item.BatchGetItemsReq) (*item.BatchGetItemsResp, error) {
	resp := &item.BatchGetItemsResp{}
	for _, id := range req.GetIds() {
		if id == 1 {
			resp.Items = append(resp.Items, &item.ItemInfo{Id: 1, Title: "Mug", PriceCents: 1299})
		}
	}
	return resp, nil
}

// stocks answers by order id: "ok", "short", "released", anything else an InvalidArgument error.
type stocks struct{ stock.Stock }

func (stocks) Deduct(_ context.Context, req *stock.DeductReq) (*stock.DeductResp, error) {
	switch req.GetOrderId() {
	case "ok":
		return &stock.DeductResp{Ok: true}, nil
	case "short":
		l := req.GetLines()[0]
		return &stock.DeductResp{Shortages: []*stock.Shortage{{ItemId: l.GetItemId(), Requested: l.GetQuantity(), Available: 1}}}, nil
	case "released":
		return &stock.DeductResp{Released: true}, nil
	}
	return nil, rpcerr.New(rpcerr.CodeInvalidArgument, "bad order")
}

func (stocks) Release(context.Context, *stock.ReleaseReq) (*stock.ReleaseResp, error) {
	return &stock.ReleaseResp{Released: true}, nil
}

// serve runs svr on a loopback port until the test ends and returns the address.
func serve(t *testing.T, newServer func(opts ...server.Option) *server.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := newServer(server.WithListener(ln), server.WithSignalHandling(false), server.WithLogger(slog.New(slog.DiscardHandler)))
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	return ln.Addr().String()
}

func TestCatalogOverGRPC(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr := serve(t, func(opts ...server.Option) *server.Server { return itemservice.NewServer(items{}, opts...) })
	cli := itemservice.MustNewClient("item", client.WithHostPorts(addr), client.WithTransportProtocol(transport.GRPC))
	defer cli.Close()
	got, err := downstream.NewCatalog(cli).Items(ctx, []int64{1, 2})
	if err != nil || len(got) != 1 || got[1] != (carts.Item{ID: 1, Title: "Mug", PriceCents: 1299}) {
		t.Fatalf("Items = %+v, %v; want item 1 only", got, err)
	}
}

func TestInventoryOverKitexProtobuf(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr := serve(t, func(opts ...server.Option) *server.Server { return stockservice.NewServer(stocks{}, opts...) })
	cli := stockservice.MustNewClient("stock", client.WithHostPorts(addr), client.WithTransportProtocol(transport.TTHeader))
	defer cli.Close()
	inv := downstream.NewInventory(cli)
	lines := []carts.Line{{ItemID: 1, Quantity: 3}}
	cases := []struct {
		order string
		want  carts.DeductResult
		err   func(error) bool
	}{
		{"ok", carts.DeductResult{OK: true}, func(err error) bool { return err == nil }},
		{"short", carts.DeductResult{Shortages: []carts.Shortage{{ItemID: 1, Requested: 3, Available: 1}}}, func(err error) bool { return err == nil }},
		{"released", carts.DeductResult{}, func(err error) bool { return errors.Is(err, downstream.ErrReleased) }},
		{"bad", carts.DeductResult{}, func(err error) bool { return rpcerr.CodeOf(err) == rpcerr.CodeInvalidArgument }},
	}
	for _, tc := range cases {
		t.Run(tc.order, func(t *testing.T) {
			got, err := inv.Deduct(ctx, tc.order, lines)
			if !tc.err(err) || got.OK != tc.want.OK || len(got.Shortages) != len(tc.want.Shortages) ||
				len(got.Shortages) == 1 && got.Shortages[0] != tc.want.Shortages[0] {
				t.Fatalf("Deduct = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	if err := inv.Release(ctx, "ok"); err != nil {
		t.Fatalf("Release = %v", err)
	}
}

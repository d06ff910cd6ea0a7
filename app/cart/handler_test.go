package main

import (
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/app/cart/internal/carts"
	"github.com/ternhq/tern/app/cart/internal/downstream"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/cart"
	"github.com/ternhq/tern/rpc_gen/cart/cartservice"
	"github.com/ternhq/tern/rpc_gen/item"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
	"github.com/ternhq/tern/rpc_gen/stock"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

var quiet = slog.New(slog.DiscardHandler)

// serve starts svr on a loopback listener and stops it when the test ends.
func serve(t *testing.T, start func(ln net.Listener) *server.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := start(ln)
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	return ln.Addr().String()
}

func serverOpts(ln net.Listener) []server.Option {
	return []server.Option{server.WithListener(ln), server.WithSignalHandling(false), server.WithLogger(quiet)}
}

// startShop starts item and stock peers, the cart server wired as main wires it (item over gRPC, stock
// over Kitex Protobuf on TTHeader) on SQLite, and returns a cart client speaking Thrift over TTHeader,
// as the gateway does.
func startShop(t *testing.T) (cartservice.Client, *stockPeer) {
	t.Helper()
	items := &itemPeer{items: map[int64]*item.ItemInfo{
		1: {Id: 1, Title: "Mug", PriceCents: 1299}, 2: {Id: 2, Title: "Towel", PriceCents: 899},
	}}
	stocks := &stockPeer{levels: map[int64]int64{1: 5, 2: 1}, orders: map[string][]*stock.Line{}, released: map[string]bool{}}
	itemAddr := serve(t, func(ln net.Listener) *server.Server { return itemservice.NewServer(items, serverOpts(ln)...) })
	stockAddr := serve(t, func(ln net.Listener) *server.Server { return stockservice.NewServer(stocks, serverOpts(ln)...) })

	itemCli := newClient(t, itemservice.NewClient, itemAddr, transport.GRPC)
	stockCli := newClient(t, stockservice.NewClient, stockAddr, transport.TTHeader)
	store := carts.NewStore(platformtest.SQLite(t))
	if err := store.Migrate(platformtest.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	svc := carts.NewService(store, downstream.NewCatalog(itemCli), downstream.NewInventory(stockCli), quiet)
	cartAddr := serve(t, func(ln net.Listener) *server.Server {
		return cartservice.NewServer(&CartImpl{svc: svc}, serverOpts(ln)...)
	})
	return newClient(t, cartservice.NewClient, cartAddr, transport.TTHeader), stocks
}

// newClient makes a generated client for addr speaking p, closed when the test ends.
func newClient[C interface{ Close() error }](t *testing.T, newc func(string, ...client.Option) (C, error), addr string, p transport.Protocol) C {
	t.Helper()
	c, err := newc("peer", client.WithHostPorts(addr), client.WithTransportProtocol(p), client.WithRPCTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Cart editing over the wire, and the IDL's exceptions arriving as their types.
func TestCartOverTheWire(t *testing.T) {
	ctx := platformtest.Context(t, 30*time.Second)
	cli, _ := startShop(t)
	c, err := cli.AddItem(ctx, &cart.AddItemReq{UserId: 7, ItemId: 1, Quantity: 2})
	if err != nil || len(c.GetItems()) != 1 || c.GetItems()[0].GetTitle() != "Mug" || c.GetTotalCents() != 2598 {
		t.Fatalf("AddItem = %v, %v", c, err)
	}
	if c, err = cli.SetQuantity(ctx, &cart.SetQuantityReq{UserId: 7, ItemId: 2, Quantity: 1}); err != nil || c.GetTotalCents() != 2598+899 {
		t.Fatalf("SetQuantity = %v, %v", c, err)
	}
	exceptions := []struct {
		name string
		call func() error
		want any
	}{
		{"bad quantity", func() error {
			_, err := cli.AddItem(ctx, &cart.AddItemReq{UserId: 7, ItemId: 1, Quantity: 1000})
			return err
		}, new(*cart.InvalidRequest)},
		{"unknown item", func() error {
			_, err := cli.AddItem(ctx, &cart.AddItemReq{UserId: 7, ItemId: 9, Quantity: 1})
			return err
		}, new(*cart.ItemNotFound)},
		{"empty cart", func() error { _, err := cli.Checkout(ctx, &cart.CheckoutReq{UserId: 8}); return err }, new(*cart.EmptyCart)},
	}
	for _, tc := range exceptions {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err == nil || !errors.As(err, tc.want) {
				t.Fatalf("got %v (%T), want %T", err, err, tc.want)
			}
		})
	}
}

// Checkout over the wire: out of stock is an OutOfStock exception and deducts nothing; a stock service
// failing after deducting gets the order released and Unavailable; a good checkout deducts and empties
// the cart.
func TestCheckoutOverTheWire(t *testing.T) {
	ctx := platformtest.Context(t, 30*time.Second)
	cli, stocks := startShop(t)
	for _, req := range []*cart.SetQuantityReq{{UserId: 7, ItemId: 1, Quantity: 2}, {UserId: 7, ItemId: 2, Quantity: 1}} {
		if _, err := cli.SetQuantity(ctx, req); err != nil {
			t.Fatal(err)
		}
	}

	// Item 2 has one unit: two of them are out of stock, and nothing is deducted.
	if _, err := cli.SetQuantity(ctx, &cart.SetQuantityReq{UserId: 7, ItemId: 2, Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	var oos *cart.OutOfStock
	if _, err := cli.Checkout(ctx, &cart.CheckoutReq{UserId: 7}); !errors.As(err, &oos) || oos.GetShortages()[0].GetAvailable() != 1 {
		t.Fatalf("Checkout = %v, want OutOfStock with 1 available", err)
	}
	if stocks.level(1) != 5 || stocks.level(2) != 1 {
		t.Fatalf("levels %d %d after a refused checkout", stocks.level(1), stocks.level(2))
	}

	// The stock service fails after deducting: the order is released and the error is Unavailable.
	if _, err := cli.SetQuantity(ctx, &cart.SetQuantityReq{UserId: 7, ItemId: 2, Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	stocks.setFail(errInternal)
	if _, err := cli.Checkout(ctx, &cart.CheckoutReq{UserId: 7}); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Fatalf("Checkout with stock failing = %v, want Unavailable", err)
	}
	if stocks.level(1) != 5 || stocks.level(2) != 1 {
		t.Fatalf("levels %d %d: the failed order was not released", stocks.level(1), stocks.level(2))
	}
	stocks.setFail(nil)

	o, err := cli.Checkout(ctx, &cart.CheckoutReq{UserId: 7})
	if err != nil || o.GetOrderId() == "" || o.GetTotalCents() != 2598+899 || len(o.GetItems()) != 2 {
		t.Fatalf("Checkout = %v, %v", o, err)
	}
	if stocks.level(1) != 3 || stocks.level(2) != 0 {
		t.Fatalf("levels %d %d after checkout, want 3 0", stocks.level(1), stocks.level(2))
	}
	if c, err := cli.GetCart(ctx, &cart.GetCartReq{UserId: 7}); err != nil || len(c.GetItems()) != 0 {
		t.Fatalf("GetCart after checkout = %v, %v", c, err)
	}
}

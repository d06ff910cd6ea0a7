package downstream_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ternhq/tern/app/gateway/internal/downstream"
	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/cart/cartservice"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// clientOpts are the options of a client of addr over p, then extra.
func clientOpts(addr string, p transport.Protocol, extra ...client.Option) []client.Option {
	return append([]client.Option{client.WithHostPorts(addr), client.WithTransportProtocol(p),
		client.WithRPCTimeout(3 * time.Second), client.WithConnectTimeout(500 * time.Millisecond)}, extra...)
}

// setup serves the stubs on loopback and returns a Backend on clients speaking what the gateway speaks:
// item over gRPC, stock over Kitex Protobuf on TTHeader, cart over Thrift on TTHeader. cartAddr, when
// not empty, replaces the cart stub's address; extra options go to every client.
func setup(t *testing.T, cartAddr string, extra ...client.Option) (*downstream.Backend, *cartStub) {
	t.Helper()
	itemLn, stockLn, cartLn := listen(t), listen(t), listen(t)
	carts := &cartStub{}
	start(t, itemservice.NewServer(itemStub{}, serverOpts(itemLn)...))
	start(t, stockservice.NewServer(stockStub{}, serverOpts(stockLn)...))
	start(t, cartservice.NewServer(carts, serverOpts(cartLn)...))
	if cartAddr == "" {
		cartAddr = cartLn.Addr().String()
	}
	items, err := itemservice.NewClient("item", clientOpts(itemLn.Addr().String(), transport.GRPC, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	stocks, err := stockservice.NewClient("stock", clientOpts(stockLn.Addr().String(), transport.TTHeader, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	cartCli, err := cartservice.NewClient("cart", clientOpts(cartAddr, transport.TTHeader, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { items.Close(); stocks.Close(); cartCli.Close() })
	return downstream.New(items, stocks, cartCli), carts
}

func TestBrowseOverTheWire(t *testing.T) {
	ctx := testContext(t)
	b, _ := setup(t, "")
	items, total, err := b.ListItems(ctx, shop.ListQuery{Page: 1, PageSize: 2})
	if err != nil || total != 7 || len(items) != 2 || items[0].Title != "Mug" || items[0].PriceCents != 1299 {
		t.Fatalf("ListItems: %+v, %d, %v", items, total, err)
	}
	it, err := b.GetItem(ctx, 1)
	if err != nil || it.Description != "holds tea" {
		t.Fatalf("GetItem: %+v, %v", it, err)
	}
	if _, err := b.GetItem(ctx, 404); shop.CodeOf(err) != shop.CodeNotFound {
		t.Fatalf("GetItem(404): %v, want not_found", err)
	}
	levels, err := b.StockLevels(ctx, []int64{1, 3})
	if err != nil || levels[1] != 10 || levels[3] != 30 {
		t.Fatalf("StockLevels: %v, %v", levels, err)
	}
}

func TestCartOverTheWire(t *testing.T) {
	ctx := testContext(t)
	b, _ := setup(t, "")
	c, err := b.AddToCart(ctx, 1, 1, 2)
	if err != nil || len(c.Lines) != 1 || c.Lines[0].Quantity != 2 || c.TotalCents != 2598 {
		t.Fatalf("AddToCart: %+v, %v", c, err)
	}
	if _, err := b.AddToCart(ctx, 1, 404, 1); shop.CodeOf(err) != shop.CodeNotFound {
		t.Errorf("unknown item: %v", err)
	}
	if _, err := b.AddToCart(ctx, 1, 1, 1000); shop.CodeOf(err) != shop.CodeInvalid {
		t.Errorf("too many: %v", err)
	}
}

// TestCheckoutOutcomes: each answer of the cart service's Checkout maps to its shop code.
func TestCheckoutOutcomes(t *testing.T) {
	ctx := testContext(t)
	b, carts := setup(t, "")
	tests := []struct {
		name string
		user int64
		want shop.Code
	}{
		{"ok", 1, ""},
		{"out of stock", 2, shop.CodeOutOfStock},
		{"empty cart", 3, shop.CodeEmptyCart},
		{"item gone", 4, shop.CodeConflict},
		{"stock unavailable", 5, shop.CodeUnavailable},
		{"cart changed", 6, shop.CodeConflict},
		{"unexpected", 7, shop.CodeDownstream},
		{"invalid", 8, shop.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rctx := metainfo.WithPersistentValue(ctx, "REQUEST_ID", tt.name)
			o, err := b.Checkout(rctx, tt.user)
			if got := shop.CodeOf(err); got != tt.want || (err != nil) != (tt.want != "") {
				t.Fatalf("Checkout: %+v, %v; want code %q", o, err, tt.want)
			}
			if tt.want == "" && (o.ID != "o-1" || o.TotalCents != 2598 || len(o.Lines) != 1) {
				t.Errorf("order %+v", o)
			}
		})
	}
	o, err := b.Checkout(ctx, 2)
	var e *shop.Error
	if !errors.As(err, &e) || len(e.Shortages) != 1 || e.Shortages[0].Available != 2 {
		t.Errorf("shortages of %+v, %v", o, err)
	}
	carts.mu.Lock()
	defer carts.mu.Unlock()
	if !slices.Contains(carts.requestIDs, "out of stock") {
		t.Errorf("the request id did not reach cart: %v", carts.requestIDs)
	}
}

func TestProbe(t *testing.T) {
	ctx := testContext(t)
	b, _ := setup(t, "")
	for name, err := range b.Probe(ctx) {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	closed := listen(t)
	addr := closed.Addr().String()
	closed.Close()
	b, _ = setup(t, addr)
	res := b.Probe(ctx)
	if res["cart"] == nil || res["item"] != nil || res["stock"] != nil {
		t.Errorf("cart down: %v", res)
	}
	if _, err := b.Cart(ctx, 1); shop.CodeOf(err) != shop.CodeUnavailable {
		t.Errorf("Cart with cart down: %v, want unavailable", err)
	}
}

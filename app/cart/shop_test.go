package main_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/cart"
	"github.com/ternhq/tern/rpc_gen/cart/cartservice"
	"github.com/ternhq/tern/rpc_gen/stock"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

// shop is item, stock and cart running as separate processes, as make run starts them.
type shop struct {
	addr map[string]string
	dir  string
}

// startShop builds the three services and starts them in their dev configuration (SQLite, embedded
// Redis, direct addresses) on free loopback ports, each with its own database under a temporary
// directory; they are stopped with SIGTERM when the test ends.
func startShop(t *testing.T) *shop {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the three services")
	}
	s := &shop{addr: map[string]string{}, dir: t.TempDir()}
	services := []string{"item", "stock", "cart"}
	dirs := map[string]string{}
	for _, svc := range services {
		s.addr[svc] = platformtest.FreeAddr(t)
		dirs[svc] = filepath.Join("..", svc)
	}
	platformtest.BuildServices(t, s.dir, dirs)
	for _, svc := range services {
		env := []string{"TERN_ENV=dev", "TERN_CONF_DIR=conf", "TERN_LOG_LEVEL=warn",
			"TERN_SERVER_ADDR=" + s.addr[svc], "TERN_DB_DSN=" + filepath.Join(s.dir, svc+".db"),
			"TERN_CLIENTS_ITEM_ADDRS=" + s.addr["item"], "TERN_CLIENTS_STOCK_ADDRS=" + s.addr["stock"]}
		platformtest.StartService(t, s.dir, svc, filepath.Join("..", svc), env, s.addr[svc])
	}
	return s
}

// clients returns a cart client speaking Thrift over TTHeader (as the gateway does) and a stock client.
func (s *shop) clients(t *testing.T) (cartservice.Client, stockservice.Client) {
	t.Helper()
	// The concurrent checkouts dial up to 120 connections at once on a machine busy with the three
	// services: give dialling more than the default 50ms.
	c, err := cartservice.NewClient("cart", client.WithHostPorts(s.addr["cart"]), client.WithRPCTimeout(10*time.Second),
		client.WithConnectTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	st, err := stockservice.NewClient("stock", client.WithHostPorts(s.addr["stock"]),
		client.WithTransportProtocol(transport.TTHeader), client.WithRPCTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); st.Close() })
	return c, st
}

func level(t *testing.T, ctx context.Context, st stockservice.Client, id int64) int64 {
	t.Helper()
	resp, err := st.GetStock(ctx, &stock.GetStockReq{ItemIds: []int64{id}})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetLevels()[0].GetAvailable()
}

// The shop as make run boots it: a cart is filled and checked out through cart, which prices it with
// item over gRPC and deducts stock over Kitex Protobuf; 120 concurrent checkouts of an item with 50 in
// stock give exactly 50 orders.
func TestShop(t *testing.T) {
	s := startShop(t)
	ctx := platformtest.Context(t, 2*time.Minute)
	c, st := s.clients(t)
	before := level(t, ctx, st, 1)
	if _, err := c.AddItem(ctx, &cart.AddItemReq{UserId: 1, ItemId: 1, Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	uc, err := c.SetQuantity(ctx, &cart.SetQuantityReq{UserId: 1, ItemId: 1, Quantity: 3})
	if err != nil || len(uc.GetItems()) != 1 || uc.GetItems()[0].GetTitle() == "" || uc.GetTotalCents() != 3*uc.GetItems()[0].GetPriceCents() {
		t.Fatalf("SetQuantity = %v, %v", uc, err)
	}
	var nf *cart.ItemNotFound
	if _, err := c.AddItem(ctx, &cart.AddItemReq{UserId: 1, ItemId: 9999, Quantity: 1}); !errors.As(err, &nf) {
		t.Fatalf("AddItem of an unknown item = %v, want ItemNotFound", err)
	}
	o, err := c.Checkout(ctx, &cart.CheckoutReq{UserId: 1})
	if err != nil || o.GetOrderId() == "" || o.GetTotalCents() != uc.GetTotalCents() {
		t.Fatalf("Checkout = %v, %v", o, err)
	}
	if after := level(t, ctx, st, 1); after != before-3 {
		t.Fatalf("stock of item 1: %d after checkout, want %d", after, before-3)
	}
	if uc, err := c.GetCart(ctx, &cart.GetCartReq{UserId: 1}); err != nil || len(uc.GetItems()) != 0 {
		t.Fatalf("GetCart after checkout = %v, %v", uc, err)
	}
	var empty *cart.EmptyCart
	if _, err := c.Checkout(ctx, &cart.CheckoutReq{UserId: 1}); !errors.As(err, &empty) {
		t.Fatalf("second Checkout = %v, want EmptyCart", err)
	}
	concurrentCheckouts(t, ctx, c, st)
}

// concurrentCheckouts sets item 2's stock to 50 and has 120 users check out one unit each at once.
func concurrentCheckouts(t *testing.T, ctx context.Context, c cartservice.Client, st stockservice.Client) {
	const users = 120
	if _, err := st.SetStock(ctx, &stock.SetStockReq{ItemId: 2, Available: 50}); err != nil {
		t.Fatal(err)
	}
	for u := int64(100); u < 100+users; u++ {
		if _, err := c.AddItem(ctx, &cart.AddItemReq{UserId: u, ItemId: 2, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
	}
	var (
		wg           sync.WaitGroup
		mu           sync.Mutex
		ordered, oos int
		others       []error
	)
	for u := int64(100); u < 100+users; u++ {
		wg.Go(func() {
			_, err := c.Checkout(ctx, &cart.CheckoutReq{UserId: u})
			var short *cart.OutOfStock
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ordered++
			case errors.As(err, &short):
				oos++
			default:
				others = append(others, fmt.Errorf("user %d: %w", u, err))
			}
		})
	}
	wg.Wait()
	if len(others) > 0 || ordered != 50 || oos != users-50 {
		t.Fatalf("%d orders, %d out of stock, other errors %v; want 50 and %d", ordered, oos, others, users-50)
	}
	if l := level(t, ctx, st, 2); l != 0 {
		t.Fatalf("stock of item 2 ends at %d, want 0", l)
	}
}

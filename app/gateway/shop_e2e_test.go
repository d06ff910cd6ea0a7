package main_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/stock"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

// TestShopEndToEnd boots the four services as make run does and drives the HTTP API: log in, browse,
// fill the cart, change a quantity, check out, see the stock decreased and the cart empty; then 200
// users check out the last 50 units of one item at once.
func TestShopEndToEnd(t *testing.T) {
	s := startShop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c := newAPIClient(t, s.addr["gateway"])
	waitReady(t, ctx, c)
	t.Run("shopping", func(t *testing.T) { shopping(t, ctx, c) })
	t.Run("200 concurrent checkouts of 50 units", func(t *testing.T) { rush(t, ctx, c, s.addr["stock"]) })
}

// waitReady polls /readyz until the gateway reaches all three services.
func waitReady(t *testing.T, ctx context.Context, c *apiClient) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if status, _ := c.call(ctx, "GET", "/readyz", "", nil, nil); status == http.StatusOK {
			return
		}
	}
	t.Fatal("/readyz did not turn 200 within 30s")
}

func shopping(t *testing.T, ctx context.Context, c *apiClient) {
	var login struct {
		Token string `json:"token"`
	}
	c.must(t, ctx, 200, "POST", "/api/v1/login", "", map[string]string{"username": "alice", "password": "wonderland"}, &login)
	c.must(t, ctx, 401, "POST", "/api/v1/login", "", map[string]string{"username": "alice", "password": "nope"}, nil)
	before := browse(t, ctx, c)

	tok := login.Token
	c.must(t, ctx, 200, "POST", "/api/v1/cart/items", tok, map[string]int64{"item_id": 1, "quantity": 2}, nil)
	c.must(t, ctx, 404, "POST", "/api/v1/cart/items", tok, map[string]int64{"item_id": 99999, "quantity": 1}, nil)
	c.must(t, ctx, 400, "POST", "/api/v1/cart/items", tok, map[string]int64{"item_id": 1, "quantity": -1}, nil)
	var cart cartBody
	c.must(t, ctx, 200, "PUT", "/api/v1/cart/items/1", tok, map[string]int64{"quantity": 3}, &cart)
	if len(cart.Items) != 1 || cart.Items[0].Quantity != 3 || cart.TotalCents != 3*before.PriceCents {
		t.Fatalf("cart after the change: %+v (price %d)", cart, before.PriceCents)
	}
	checkout(t, ctx, c, tok, cart, before)
}

// browse lists a page and reads item 1, which it returns.
func browse(t *testing.T, ctx context.Context, c *apiClient) item {
	var page itemList
	c.must(t, ctx, 200, "GET", "/api/v1/items?page=1&page_size=5", "", nil, &page)
	if len(page.Items) != 5 || page.Total < 5 || page.Items[0].Title == "" || page.Items[0].Stock <= 0 {
		t.Fatalf("first page: %+v", page)
	}
	var it item
	c.must(t, ctx, 200, "GET", "/api/v1/items/1", "", nil, &it)
	c.must(t, ctx, 404, "GET", "/api/v1/items/99999", "", nil, nil)
	return it
}

// checkout orders cart and checks the stock of item 1 went down and the cart is empty.
func checkout(t *testing.T, ctx context.Context, c *apiClient, tok string, cart cartBody, before item) {
	var o order
	c.must(t, ctx, 200, "POST", "/api/v1/cart/checkout", tok, nil, &o)
	if o.OrderID == "" || o.TotalCents != cart.TotalCents || len(o.Items) != 1 {
		t.Fatalf("order %+v", o)
	}
	var after item
	c.must(t, ctx, 200, "GET", "/api/v1/items/1", "", nil, &after)
	if after.Stock != before.Stock-3 {
		t.Fatalf("stock of item 1: %d after checkout, want %d", after.Stock, before.Stock-3)
	}
	c.must(t, ctx, 200, "GET", "/api/v1/cart", tok, nil, &cart)
	if len(cart.Items) != 0 || cart.TotalCents != 0 {
		t.Fatalf("cart after checkout: %+v", cart)
	}
	var e errBody
	c.must(t, ctx, 400, "POST", "/api/v1/cart/checkout", tok, nil, &e)
	if e.Error.Code != "empty_cart" {
		t.Fatalf("second checkout: %+v", e)
	}
}

// rush sets item 2's stock to 50, puts one unit in the carts of 200 users, and has them all check out
// at once: exactly 50 orders, every other answer 409, stock 0, and the losers' carts kept.
func rush(t *testing.T, ctx context.Context, c *apiClient, stockAddr string) {
	const users, units, itemID = 200, 50, 2
	setStock(t, ctx, stockAddr, itemID, units)
	tokens := make([]string, users)
	for i := range tokens {
		tokens[i] = mintToken(t, int64(10_000+i))
	}
	parallel(users, 16, func(i int) {
		body := map[string]int64{"item_id": itemID, "quantity": 1}
		if st, err := c.call(ctx, "POST", "/api/v1/cart/items", tokens[i], body, nil); st != 200 || err != nil {
			t.Errorf("user %d: add to cart: %d, %v", i, st, err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	statuses := make([]int, users)
	parallel(users, users, func(i int) {
		var err error
		if statuses[i], err = c.call(ctx, "POST", "/api/v1/cart/checkout", tokens[i], nil, nil); err != nil {
			t.Errorf("user %d: %v", i, err)
		}
	})
	counts := map[int]int{}
	for _, st := range statuses {
		counts[st]++
	}
	if counts[200] != units || counts[409] != users-units {
		t.Fatalf("statuses %v, want %d × 200 and %d × 409", counts, units, users-units)
	}
	checkRushAftermath(t, ctx, c, itemID, tokens, statuses)
}

// checkRushAftermath checks the item's stock is 0, the winners' carts are empty and the losers' kept.
func checkRushAftermath(t *testing.T, ctx context.Context, c *apiClient, itemID int64, tokens []string, statuses []int) {
	var it item
	c.must(t, ctx, 200, "GET", fmt.Sprintf("/api/v1/items/%d", itemID), "", nil, &it)
	if it.Stock != 0 {
		t.Fatalf("stock ends at %d, want 0", it.Stock)
	}
	for i, st := range statuses {
		var cart cartBody
		c.must(t, ctx, 200, "GET", "/api/v1/cart", tokens[i], nil, &cart)
		if kept := len(cart.Items) == 1; kept != (st == 409) {
			t.Fatalf("user %d (checkout %d) has cart %+v", i, st, cart)
		}
	}
}

// parallel runs f(0..n-1) with at most width at a time.
func parallel(n, width int, f func(i int)) {
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// setStock sets an item's level through the stock service (the gateway has no admin API).
func setStock(t *testing.T, ctx context.Context, addr string, id, n int64) {
	t.Helper()
	cli, err := stockservice.NewClient("stock", client.WithHostPorts(addr),
		client.WithTransportProtocol(transport.TTHeader), client.WithRPCTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if _, err := cli.SetStock(ctx, &stock.SetStockReq{ItemId: id, Available: n}); err != nil {
		t.Fatal(err)
	}
}

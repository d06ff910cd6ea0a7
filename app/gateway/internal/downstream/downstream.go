// Package downstream implements shop.Backend over the generated clients of the three downstream
// services: item over gRPC, stock over Kitex Protobuf (TTHeader) and cart over Thrift (TTHeader). It
// converts messages and maps the services' exceptions and rpcerr codes to shop errors.
package downstream

import (
	"context"
	"sync"

	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/rpc_gen/base"
	"github.com/ternhq/tern/rpc_gen/cart"
	"github.com/ternhq/tern/rpc_gen/cart/cartservice"
	"github.com/ternhq/tern/rpc_gen/item"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
	"github.com/ternhq/tern/rpc_gen/stock"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

// Backend is shop.Backend over the RPC clients.
type Backend struct {
	items  itemservice.Client
	stocks stockservice.Client
	carts  cartservice.Client
}

var _ shop.Backend = (*Backend)(nil)

// New returns the backend over the three clients; closing them stays with the caller.
func New(items itemservice.Client, stocks stockservice.Client, carts cartservice.Client) *Backend {
	return &Backend{items: items, stocks: stocks, carts: carts}
}

// ListItems lists a page of the catalogue.
func (b *Backend) ListItems(ctx context.Context, q shop.ListQuery) ([]shop.Item, int64, error) {
	resp, err := b.items.ListItems(ctx, &item.ListItemsReq{
		Page:  &base.PageReq{Page: q.Page, PageSize: q.PageSize},
		Query: q.Query,
	})
	if err != nil {
		return nil, 0, fromRPC("item", err)
	}
	out := make([]shop.Item, len(resp.GetItems()))
	for i, it := range resp.GetItems() {
		out[i] = toItem(it)
	}
	return out, resp.GetPage().GetTotal(), nil
}

// GetItem returns one item.
func (b *Backend) GetItem(ctx context.Context, id int64) (shop.Item, error) {
	resp, err := b.items.GetItem(ctx, &item.GetItemReq{Id: id})
	if err != nil && rpcerr.CodeOf(err) != rpcerr.CodeNotFound {
		return shop.Item{}, fromRPC("item", err)
	}
	if resp.GetItem() == nil {
		return shop.Item{}, shop.Errorf(shop.CodeNotFound, "item %d not found", id)
	}
	return toItem(resp.GetItem()), nil
}

// StockLevels returns the available units of ids.
func (b *Backend) StockLevels(ctx context.Context, ids []int64) (map[int64]int64, error) {
	resp, err := b.stocks.GetStock(ctx, &stock.GetStockReq{ItemIds: ids})
	if err != nil {
		return nil, fromRPC("stock", err)
	}
	levels := make(map[int64]int64, len(ids))
	for _, l := range resp.GetLevels() {
		levels[l.GetItemId()] = l.GetAvailable()
	}
	return levels, nil
}

// Cart returns the user's cart.
func (b *Backend) Cart(ctx context.Context, userID int64) (shop.Cart, error) {
	return toCart(b.carts.GetCart(ctx, &cart.GetCartReq{UserId: userID}))
}

// AddToCart adds units of an item to the user's cart.
func (b *Backend) AddToCart(ctx context.Context, userID, itemID int64, quantity int32) (shop.Cart, error) {
	return toCart(b.carts.AddItem(ctx, &cart.AddItemReq{UserId: userID, ItemId: itemID, Quantity: quantity}))
}

// SetQuantity sets a line's quantity.
func (b *Backend) SetQuantity(ctx context.Context, userID, itemID int64, quantity int32) (shop.Cart, error) {
	return toCart(b.carts.SetQuantity(ctx, &cart.SetQuantityReq{UserId: userID, ItemId: itemID, Quantity: quantity}))
}

// RemoveFromCart removes a line.
func (b *Backend) RemoveFromCart(ctx context.Context, userID, itemID int64) (shop.Cart, error) {
	return toCart(b.carts.RemoveItem(ctx, &cart.RemoveItemReq{UserId: userID, ItemId: itemID}))
}

// Checkout orders the user's cart.
func (b *Backend) Checkout(ctx context.Context, userID int64) (shop.Order, error) {
	o, err := b.carts.Checkout(ctx, &cart.CheckoutReq{UserId: userID})
	if err != nil {
		return shop.Order{}, fromCheckout(err)
	}
	return shop.Order{ID: o.GetOrderId(), Lines: toLines(o.GetItems()), TotalCents: o.GetTotalCents()}, nil
}

// Probe calls each service once, concurrently: item lists one entry, stock reads no level, and cart is
// asked for the cart of user 0, which it refuses as invalid without touching its database — any answer
// proves the service is there.
func (b *Backend) Probe(ctx context.Context) map[string]error {
	probes := map[string]func() error{
		"item": func() error {
			_, err := b.items.ListItems(ctx, &item.ListItemsReq{Page: &base.PageReq{Page: 1, PageSize: 1}})
			return reachable(err)
		},
		"stock": func() error {
			_, err := b.stocks.GetStock(ctx, &stock.GetStockReq{})
			return reachable(err)
		},
		"cart": func() error {
			_, err := b.carts.GetCart(ctx, &cart.GetCartReq{UserId: 0})
			return reachable(err)
		},
	}
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = make(map[string]error, len(probes))
	)
	for name, probe := range probes {
		wg.Go(func() {
			err := probe()
			mu.Lock()
			out[name] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

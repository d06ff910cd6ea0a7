package downstream_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/rpc_gen/base"
	"github.com/ternhq/tern/rpc_gen/cart"
	"github.com/ternhq/tern/rpc_gen/item"
	"github.com/ternhq/tern/rpc_gen/stock"
)

// itemStub knows items 1 and 2.
type itemStub struct{ item.Item }

var stubItems = map[int64]*item.ItemInfo{
	1: {Id: 1, Title: "Mug", Description: "holds tea", PriceCents: 1299},
	2: {Id: 2, Title: "Cap", PriceCents: 1500},
}

func (itemStub) GetItem(_ context.Context, req *item.GetItemReq) (*item.GetItemResp, error) {
	it, ok := stubItems[req.GetId()]
	if !ok {
		return nil, rpcerr.Errorf(rpcerr.CodeNotFound, "item %d not found", req.GetId())
	}
	return &item.GetItemResp{Item: it}, nil
}

func (itemStub) ListItems(_ context.Context, req *item.ListItemsReq) (*item.ListItemsResp, error) {
	return &item.ListItemsResp{
		Items: []*item.ItemInfo{stubItems[1], stubItems[2]},
		Page:  &base.PageResp{Page: req.GetPage().GetPage(), PageSize: req.GetPage().GetPageSize(), Total: 7},
	}, nil
}

// stockStub holds id*10 units of item id.
type stockStub struct{ stock.Stock }

func (stockStub) GetStock(_ context.Context, req *stock.GetStockReq) (*stock.GetStockResp, error) {
	resp := &stock.GetStockResp{}
	for _, id := range req.GetItemIds() {
		resp.Levels = append(resp.Levels, &stock.Level{ItemId: id, Available: id * 10})
	}
	return resp, nil
}

// cartStub answers checkout by user id with each outcome the gateway maps, and remembers the request
// ids it saw.
type cartStub struct {
	cart.Cart
	mu         sync.Mutex
	requestIDs []string
}

var checkoutOutcomes = map[int64]error{
	2: &cart.OutOfStock{Shortages: []*cart.Shortage{{ItemId: 1, Requested: 5, Available: 2}}},
	3: &cart.EmptyCart{UserId: 3},
	4: &cart.ItemNotFound{ItemId: 9},
	5: rpcerr.New(rpcerr.CodeUnavailable, "stock service: connection refused"),
	6: rpcerr.New(rpcerr.CodeAborted, "cart changed"),
	7: errors.New("unexpected"),
	8: &cart.InvalidRequest{Message: "user id must be positive"},
}

func (s *cartStub) Checkout(ctx context.Context, req *cart.CheckoutReq) (*cart.OrderSummary, error) {
	if id, ok := metainfo.GetPersistentValue(ctx, "REQUEST_ID"); ok {
		s.mu.Lock()
		s.requestIDs = append(s.requestIDs, id)
		s.mu.Unlock()
	}
	if err := checkoutOutcomes[req.GetUserId()]; err != nil {
		return nil, err
	}
	line := &cart.CartItem{ItemId: 1, Title: "Mug", PriceCents: 1299, Quantity: 2}
	return &cart.OrderSummary{OrderId: "o-1", UserId: req.GetUserId(), Items: []*cart.CartItem{line}, TotalCents: 2598}, nil
}

func (s *cartStub) AddItem(_ context.Context, req *cart.AddItemReq) (*cart.UserCart, error) {
	switch {
	case req.GetItemId() == 404:
		return nil, &cart.ItemNotFound{ItemId: 404}
	case req.GetQuantity() > 999:
		return nil, &cart.InvalidRequest{Message: "a line holds at most 999 units"}
	}
	line := &cart.CartItem{ItemId: req.GetItemId(), Title: "Mug", PriceCents: 1299, Quantity: req.GetQuantity()}
	return &cart.UserCart{UserId: req.GetUserId(), Items: []*cart.CartItem{line}, TotalCents: 1299 * int64(req.GetQuantity())}, nil
}

func (s *cartStub) GetCart(_ context.Context, req *cart.GetCartReq) (*cart.UserCart, error) {
	if req.GetUserId() <= 0 {
		return nil, &cart.InvalidRequest{Message: "user id must be positive"}
	}
	return &cart.UserCart{UserId: req.GetUserId()}, nil
}

// listen returns a loopback listener.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serverOpts are the options of the stub servers.
func serverOpts(ln net.Listener) []server.Option {
	return []server.Option{server.WithListener(ln), server.WithSignalHandling(false),
		server.WithLogger(slog.New(slog.DiscardHandler)), server.WithExitWaitTime(100 * time.Millisecond)}
}

// start starts svr and stops it when t ends.
func start(t *testing.T, svr *server.Server) {
	t.Helper()
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
}

package main

import (
	"context"

	"github.com/ternhq/tern/app/stock/internal/inventory"
	"github.com/ternhq/tern/rpc_gen/stock"
)

// StockImpl implements stock.Stock on an inventory store; it only converts messages.
type StockImpl struct {
	store *inventory.Store
}

// GetStock returns the levels of the requested items.
func (h *StockImpl) GetStock(ctx context.Context, req *stock.GetStockReq) (*stock.GetStockResp, error) {
	levels, err := h.store.Get(ctx, req.GetItemIds())
	if err != nil {
		return nil, err
	}
	resp := &stock.GetStockResp{Levels: make([]*stock.Level, len(levels))}
	for i, l := range levels {
		resp.Levels[i] = &stock.Level{ItemId: l.ItemID, Available: l.Available}
	}
	return resp, nil
}

// SetStock sets an item's level.
func (h *StockImpl) SetStock(ctx context.Context, req *stock.SetStockReq) (*stock.SetStockResp, error) {
	l, err := h.store.Set(ctx, req.GetItemId(), req.GetAvailable())
	if err != nil {
		return nil, err
	}
	return &stock.SetStockResp{Level: &stock.Level{ItemId: l.ItemID, Available: l.Available}}, nil
}

// Deduct takes an order's units, all or none, once per order id.
func (h *StockImpl) Deduct(ctx context.Context, req *stock.DeductReq) (*stock.DeductResp, error) {
	lines := make([]inventory.Line, len(req.GetLines()))
	for i, l := range req.GetLines() {
		lines[i] = inventory.Line{ItemID: l.GetItemId(), Quantity: l.GetQuantity()}
	}
	res, err := h.store.Deduct(ctx, req.GetOrderId(), lines)
	if err != nil {
		return nil, err
	}
	resp := &stock.DeductResp{Ok: res.OK, Duplicate: res.Duplicate, Released: res.Released}
	for _, s := range res.Shortages {
		resp.Shortages = append(resp.Shortages, &stock.Shortage{ItemId: s.ItemID, Requested: s.Requested, Available: s.Available})
	}
	return resp, nil
}

// Release gives an order's units back.
func (h *StockImpl) Release(ctx context.Context, req *stock.ReleaseReq) (*stock.ReleaseResp, error) {
	released, err := h.store.Release(ctx, req.GetOrderId())
	if err != nil {
		return nil, err
	}
	return &stock.ReleaseResp{Released: released}, nil
}

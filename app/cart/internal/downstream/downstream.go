// Package downstream adapts the generated clients of the item and stock services to the Catalog and
// Inventory interfaces of package carts. Which transport each client speaks is chosen where the
// clients are made (cart's main: gRPC to item, Kitex Protobuf over TTHeader to stock).
package downstream

import (
	"context"
	"errors"
	"fmt"

	"github.com/ternhq/tern/app/cart/internal/carts"
	"github.com/ternhq/tern/rpc_gen/item"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
	"github.com/ternhq/tern/rpc_gen/stock"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

// Catalog is carts.Catalog on the item service.
type Catalog struct{ cli itemservice.Client }

// NewCatalog returns a Catalog calling cli.
func NewCatalog(cli itemservice.Client) *Catalog { return &Catalog{cli: cli} }

// Items returns the items of ids that exist, with one BatchGetItems call.
func (c *Catalog) Items(ctx context.Context, ids []int64) (map[int64]carts.Item, error) {
	resp, err := c.cli.BatchGetItems(ctx, &item.BatchGetItemsReq{Ids: ids})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]carts.Item, len(resp.GetItems()))
	for _, it := range resp.GetItems() {
		out[it.GetId()] = carts.Item{ID: it.GetId(), Title: it.GetTitle(), PriceCents: it.GetPriceCents()}
	}
	return out, nil
}

// Inventory is carts.Inventory on the stock service.
type Inventory struct{ cli stockservice.Client }

// NewInventory returns an Inventory calling cli.
func NewInventory(cli stockservice.Client) *Inventory { return &Inventory{cli: cli} }

// ErrReleased is a deduction refused because its order was released before (a compensation overtook
// it); nothing was deducted.
var ErrReleased = errors.New("stock: the order was released before it was deducted")

// Deduct takes every line's units for orderID, all or none.
func (v *Inventory) Deduct(ctx context.Context, orderID string, lines []carts.Line) (carts.DeductResult, error) {
	req := &stock.DeductReq{OrderId: orderID, Lines: make([]*stock.Line, len(lines))}
	for i, l := range lines {
		req.Lines[i] = &stock.Line{ItemId: l.ItemID, Quantity: int64(l.Quantity)}
	}
	resp, err := v.cli.Deduct(ctx, req)
	switch {
	case err != nil:
		return carts.DeductResult{}, err
	case resp.GetReleased():
		return carts.DeductResult{}, fmt.Errorf("order %s: %w", orderID, ErrReleased)
	}
	res := carts.DeductResult{OK: resp.GetOk()}
	for _, s := range resp.GetShortages() {
		res.Shortages = append(res.Shortages, carts.Shortage{ItemID: s.GetItemId(), Requested: s.GetRequested(), Available: s.GetAvailable()})
	}
	return res, nil
}

// Release gives back what orderID deducted.
func (v *Inventory) Release(ctx context.Context, orderID string) error {
	_, err := v.cli.Release(ctx, &stock.ReleaseReq{OrderId: orderID})
	return err
}

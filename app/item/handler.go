package main

import (
	"context"

	"github.com/ternhq/tern/app/item/internal/catalog"
	"github.com/ternhq/tern/rpc_gen/base"
	"github.com/ternhq/tern/rpc_gen/item"
)

// catalogue is what the handler serves from: a catalog.Cache, or a catalog.Store without Redis.
type catalogue interface {
	Create(ctx context.Context, it catalog.Item) (catalog.Item, error)
	Update(ctx context.Context, id int64, p catalog.Patch) (catalog.Item, error)
	Get(ctx context.Context, id int64) (catalog.Item, error)
	BatchGet(ctx context.Context, ids []int64) ([]catalog.Item, error)
	List(ctx context.Context, page, pageSize int, query string) (catalog.Page, error)
}

// ItemImpl implements item.Item; it only converts messages.
type ItemImpl struct {
	cat catalogue
}

// CreateItem adds an item to the catalogue.
func (h *ItemImpl) CreateItem(ctx context.Context, req *item.CreateItemReq) (*item.CreateItemResp, error) {
	it, err := h.cat.Create(ctx, catalog.Item{Title: req.GetTitle(), Description: req.GetDescription(), PriceCents: req.GetPriceCents()})
	if err != nil {
		return nil, err
	}
	return &item.CreateItemResp{Item: toProto(it)}, nil
}

// UpdateItem changes the fields the request sets.
func (h *ItemImpl) UpdateItem(ctx context.Context, req *item.UpdateItemReq) (*item.UpdateItemResp, error) {
	it, err := h.cat.Update(ctx, req.GetId(), catalog.Patch{Title: req.Title, Description: req.Description, PriceCents: req.PriceCents})
	if err != nil {
		return nil, err
	}
	return &item.UpdateItemResp{Item: toProto(it)}, nil
}

// GetItem returns one item (NotFound for an unknown id).
func (h *ItemImpl) GetItem(ctx context.Context, req *item.GetItemReq) (*item.GetItemResp, error) {
	it, err := h.cat.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &item.GetItemResp{Item: toProto(it)}, nil
}

// BatchGetItems returns the items found among the requested ids.
func (h *ItemImpl) BatchGetItems(ctx context.Context, req *item.BatchGetItemsReq) (*item.BatchGetItemsResp, error) {
	items, err := h.cat.BatchGet(ctx, req.GetIds())
	if err != nil {
		return nil, err
	}
	return &item.BatchGetItemsResp{Items: toProtos(items)}, nil
}

// ListItems returns one page of the catalogue, optionally searched by title.
func (h *ItemImpl) ListItems(ctx context.Context, req *item.ListItemsReq) (*item.ListItemsResp, error) {
	p, err := h.cat.List(ctx, int(req.GetPage().GetPage()), int(req.GetPage().GetPageSize()), req.GetQuery())
	if err != nil {
		return nil, err
	}
	return &item.ListItemsResp{
		Items: toProtos(p.Items),
		Page:  &base.PageResp{Page: int32(p.Page), PageSize: int32(p.PageSize), Total: p.Total},
	}, nil
}

func toProto(it catalog.Item) *item.ItemInfo {
	return &item.ItemInfo{
		Id: it.ID, Title: it.Title, Description: it.Description, PriceCents: it.PriceCents,
		CreatedAt: it.CreatedAt.Unix(), UpdatedAt: it.UpdatedAt.Unix(),
	}
}

func toProtos(items []catalog.Item) []*item.ItemInfo {
	out := make([]*item.ItemInfo, len(items))
	for i, it := range items {
		out[i] = toProto(it)
	}
	return out
}

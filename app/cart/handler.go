package main

import (
	"context"
	"errors"

	"github.com/ternhq/tern/app/cart/internal/carts"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/rpc_gen/cart"
)

// CartImpl implements cart.Cart on the cart logic; it converts messages and maps the logic's errors to
// the IDL's exceptions.
type CartImpl struct {
	svc *carts.Service
}

// AddItem adds units of an item to the user's cart.
func (h *CartImpl) AddItem(ctx context.Context, req *cart.AddItemReq) (*cart.UserCart, error) {
	return toCart(h.svc.Add(ctx, req.GetUserId(), req.GetItemId(), req.GetQuantity()))
}

// SetQuantity sets a line's quantity; 0 removes it.
func (h *CartImpl) SetQuantity(ctx context.Context, req *cart.SetQuantityReq) (*cart.UserCart, error) {
	return toCart(h.svc.SetQuantity(ctx, req.GetUserId(), req.GetItemId(), req.GetQuantity()))
}

// RemoveItem removes a line.
func (h *CartImpl) RemoveItem(ctx context.Context, req *cart.RemoveItemReq) (*cart.UserCart, error) {
	return toCart(h.svc.Remove(ctx, req.GetUserId(), req.GetItemId()))
}

// GetCart returns the user's cart at current prices.
func (h *CartImpl) GetCart(ctx context.Context, req *cart.GetCartReq) (*cart.UserCart, error) {
	return toCart(h.svc.Get(ctx, req.GetUserId()))
}

// ClearCart empties the user's cart.
func (h *CartImpl) ClearCart(ctx context.Context, req *cart.ClearCartReq) (*cart.UserCart, error) {
	return toCart(h.svc.Clear(ctx, req.GetUserId()))
}

// Checkout orders the user's cart.
func (h *CartImpl) Checkout(ctx context.Context, req *cart.CheckoutReq) (*cart.OrderSummary, error) {
	o, err := h.svc.Checkout(ctx, req.GetUserId())
	if err != nil {
		return nil, toException(err)
	}
	return &cart.OrderSummary{OrderId: o.ID, UserId: o.UserID, Items: toItems(o.Lines), TotalCents: o.TotalCents}, nil
}

func toCart(c carts.Cart, err error) (*cart.UserCart, error) {
	if err != nil {
		return nil, toException(err)
	}
	return &cart.UserCart{UserId: c.UserID, Items: toItems(c.Lines), TotalCents: c.TotalCents}, nil
}

func toItems(lines []carts.CartLine) []*cart.CartItem {
	out := make([]*cart.CartItem, len(lines))
	for i, l := range lines {
		out[i] = &cart.CartItem{ItemId: l.ID, Title: l.Title, PriceCents: l.PriceCents, Quantity: l.Quantity}
	}
	return out
}

// toException maps the logic's errors to the IDL's exceptions; others (rpcerr codes such as
// Unavailable) pass through.
func toException(err error) error {
	var (
		invalid  *carts.InvalidError
		notFound *carts.NotFoundError
		short    *carts.OutOfStockError
	)
	switch {
	case errors.As(err, &invalid):
		return &cart.InvalidRequest{Message: invalid.Message}
	case errors.As(err, &notFound):
		return &cart.ItemNotFound{ItemId: notFound.ItemID}
	case errors.Is(err, carts.ErrEmptyCart):
		return &cart.EmptyCart{}
	case errors.As(err, &short):
		out := &cart.OutOfStock{Shortages: make([]*cart.Shortage, len(short.Shortages))}
		for i, s := range short.Shortages {
			out.Shortages[i] = &cart.Shortage{ItemId: s.ItemID, Requested: s.Requested, Available: s.Available}
		}
		return out
	case errors.Is(err, carts.ErrCartChanged):
		return rpcerr.Wrap(rpcerr.CodeAborted, err)
	}
	return err
}

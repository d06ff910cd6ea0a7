package downstream

import (
	"errors"
	"fmt"

	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/rpc_gen/cart"
	"github.com/ternhq/tern/rpc_gen/item"
)

func toItem(it *item.ItemInfo) shop.Item {
	return shop.Item{
		ID:          it.GetId(),
		Title:       it.GetTitle(),
		Description: it.GetDescription(),
		PriceCents:  it.GetPriceCents(),
	}
}

func toLines(items []*cart.CartItem) []shop.Line {
	out := make([]shop.Line, len(items))
	for i, it := range items {
		out[i] = shop.Line{
			ItemID:     it.GetItemId(),
			Title:      it.GetTitle(),
			PriceCents: it.GetPriceCents(),
			Quantity:   it.GetQuantity(),
		}
	}
	return out
}

// toCart converts a cart call's result.
func toCart(c *cart.UserCart, err error) (shop.Cart, error) {
	if err != nil {
		return shop.Cart{}, fromCart(err)
	}
	return shop.Cart{Lines: toLines(c.GetItems()), TotalCents: c.GetTotalCents()}, nil
}

// fromCart maps the exceptions of the cart operations other than checkout.
func fromCart(err error) error {
	var (
		invalid  *cart.InvalidRequest
		notFound *cart.ItemNotFound
	)
	switch {
	case errors.As(err, &invalid):
		return shop.WrapError(shop.CodeInvalid, invalid.GetMessage(), err)
	case errors.As(err, &notFound):
		return shop.WrapError(shop.CodeNotFound, fmt.Sprintf("item %d not found", notFound.GetItemId()), err)
	}
	return fromRPC("cart", err)
}

// fromCheckout maps the exceptions of checkout.
func fromCheckout(err error) error {
	var (
		notFound *cart.ItemNotFound
		empty    *cart.EmptyCart
		short    *cart.OutOfStock
	)
	switch {
	case errors.As(err, &short):
		return outOfStock(short, err)
	case errors.As(err, &empty):
		return shop.WrapError(shop.CodeEmptyCart, "the cart is empty", err)
	case errors.As(err, &notFound):
		return shop.WrapError(shop.CodeConflict,
			fmt.Sprintf("item %d is no longer sold; remove it from the cart", notFound.GetItemId()), err)
	}
	return fromCart(err)
}

// outOfStock describes the shortages of a failed checkout.
func outOfStock(short *cart.OutOfStock, err error) *shop.Error {
	e := shop.WrapError(shop.CodeOutOfStock, "not enough stock; nothing was ordered and the cart is kept", err)
	for _, s := range short.GetShortages() {
		e.Shortages = append(e.Shortages, shop.Shortage{
			ItemID: s.GetItemId(), Requested: s.GetRequested(), Available: s.GetAvailable(),
		})
	}
	if len(e.Shortages) > 0 {
		s := e.Shortages[0]
		e.Message = fmt.Sprintf("not enough stock of item %d (%d requested, %d available); nothing was ordered and the cart is kept",
			s.ItemID, s.Requested, s.Available)
	}
	return e
}

// fromRPC maps an rpcerr code of a call to service.
func fromRPC(service string, err error) error {
	switch code := rpcerr.CodeOf(err); code {
	case rpcerr.CodeNotFound:
		return shop.WrapError(shop.CodeNotFound, "not found", err)
	case rpcerr.CodeInvalidArgument:
		return shop.WrapError(shop.CodeInvalid, "invalid request", err)
	case rpcerr.CodeAborted:
		return shop.WrapError(shop.CodeConflict, "the cart changed during the request; try again", err)
	default:
		if unreachable(code) {
			return shop.WrapError(shop.CodeUnavailable, service+" service unavailable", err)
		}
	}
	return shop.WrapError(shop.CodeDownstream, service+" service failed", err)
}

// unreachable tells the codes of a service that did not answer in time.
func unreachable(code rpcerr.Code) bool {
	switch code {
	case rpcerr.CodeUnavailable, rpcerr.CodeDeadlineExceeded, rpcerr.CodeCanceled,
		rpcerr.CodeCircuitOpen, rpcerr.CodeResourceExhausted:
		return true
	}
	return false
}

// reachable returns a probe's error when it shows the service did not answer, and nil for any answer,
// even an error reply.
func reachable(err error) error {
	if err != nil && unreachable(rpcerr.CodeOf(err)) {
		return err
	}
	return nil
}

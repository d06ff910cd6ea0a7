package shoptest

import (
	"context"
	"fmt"
	"slices"

	"github.com/ternhq/tern/app/gateway/internal/shop"
)

// Cart returns a user's cart.
func (f *Fake) Cart(_ context.Context, userID int64) (shop.Cart, error) {
	err := f.enter(Cart)
	defer f.mu.Unlock()
	if err != nil {
		return shop.Cart{}, err
	}
	return f.cartOf(userID), nil
}

// AddToCart adds units to a line, as the cart service does: unknown items are not found, and a line
// holds at most shop.MaxQuantity units.
func (f *Fake) AddToCart(_ context.Context, userID, itemID int64, quantity int32) (shop.Cart, error) {
	err := f.enter(Cart)
	defer f.mu.Unlock()
	if err != nil {
		return shop.Cart{}, err
	}
	if err := f.checkLine(itemID, quantity, 1); err != nil {
		return shop.Cart{}, err
	}
	lines := f.carts[userID]
	i := slices.IndexFunc(lines, func(l shop.Line) bool { return l.ItemID == itemID })
	if i < 0 {
		f.carts[userID] = append(lines, shop.Line{ItemID: itemID, Quantity: quantity})
		return f.cartOf(userID), nil
	}
	if lines[i].Quantity+quantity > shop.MaxQuantity {
		return shop.Cart{}, shop.Errorf(shop.CodeInvalid, "a line holds at most %d units", shop.MaxQuantity)
	}
	lines[i].Quantity += quantity
	return f.cartOf(userID), nil
}

// SetQuantity sets a line's units; 0 removes it.
func (f *Fake) SetQuantity(_ context.Context, userID, itemID int64, quantity int32) (shop.Cart, error) {
	err := f.enter(Cart)
	defer f.mu.Unlock()
	if err != nil {
		return shop.Cart{}, err
	}
	if quantity == 0 {
		f.remove(userID, itemID)
		return f.cartOf(userID), nil
	}
	if err := f.checkLine(itemID, quantity, 1); err != nil {
		return shop.Cart{}, err
	}
	lines := f.carts[userID]
	if i := slices.IndexFunc(lines, func(l shop.Line) bool { return l.ItemID == itemID }); i >= 0 {
		lines[i].Quantity = quantity
	} else {
		f.carts[userID] = append(lines, shop.Line{ItemID: itemID, Quantity: quantity})
	}
	return f.cartOf(userID), nil
}

// RemoveFromCart removes a line.
func (f *Fake) RemoveFromCart(_ context.Context, userID, itemID int64) (shop.Cart, error) {
	err := f.enter(Cart)
	defer f.mu.Unlock()
	if err != nil {
		return shop.Cart{}, err
	}
	f.remove(userID, itemID)
	return f.cartOf(userID), nil
}

// Checkout deducts every line's units or none, then empties the cart.
func (f *Fake) Checkout(_ context.Context, userID int64) (shop.Order, error) {
	err := f.enter(Cart)
	defer f.mu.Unlock()
	if err != nil {
		return shop.Order{}, err
	}
	c := f.cartOf(userID)
	if len(c.Lines) == 0 {
		return shop.Order{}, shop.Errorf(shop.CodeEmptyCart, "the cart is empty")
	}
	var short []shop.Shortage
	for _, l := range c.Lines {
		if int64(l.Quantity) > f.stock[l.ItemID] {
			short = append(short, shop.Shortage{ItemID: l.ItemID, Requested: int64(l.Quantity), Available: f.stock[l.ItemID]})
		}
	}
	if len(short) > 0 {
		return shop.Order{}, &shop.Error{Code: shop.CodeOutOfStock, Message: "not enough stock", Shortages: short}
	}
	for _, l := range c.Lines {
		f.stock[l.ItemID] -= int64(l.Quantity)
	}
	delete(f.carts, userID)
	f.orders++
	return shop.Order{ID: fmt.Sprintf("order-%d", f.orders), Lines: c.Lines, TotalCents: c.TotalCents}, nil
}

// checkLine validates a line like the cart service; f.mu is held.
func (f *Fake) checkLine(itemID int64, quantity, minQty int32) error {
	if quantity < minQty || quantity > shop.MaxQuantity {
		return shop.Errorf(shop.CodeInvalid, "quantity must be %d..%d", minQty, shop.MaxQuantity)
	}
	if _, ok := f.items[itemID]; !ok {
		return shop.Errorf(shop.CodeNotFound, "item %d not found", itemID)
	}
	return nil
}

// remove deletes a line; f.mu is held.
func (f *Fake) remove(userID, itemID int64) {
	f.carts[userID] = slices.DeleteFunc(f.carts[userID], func(l shop.Line) bool { return l.ItemID == itemID })
	if len(f.carts[userID]) == 0 {
		delete(f.carts, userID)
	}
}

// cartOf returns a user's cart at current prices; f.mu is held.
func (f *Fake) cartOf(userID int64) shop.Cart {
	var c shop.Cart
	for _, l := range f.carts[userID] {
		it := f.items[l.ItemID]
		l.Title, l.PriceCents = it.Title, it.PriceCents
		c.Lines = append(c.Lines, l)
		c.TotalCents += it.PriceCents * int64(l.Quantity)
	}
	return c
}

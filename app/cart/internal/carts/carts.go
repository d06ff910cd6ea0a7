// Package carts is the cart service's logic: per-user carts stored with gorm, priced from the item
// service, and checkout, which validates the lines with the item service, deducts their stock with the
// stock service, all or nothing, then takes the lines out of the cart and returns the order.
//
// The item and stock services are reached through the Catalog and Inventory interfaces, so the logic
// runs in tests without them; main plugs in their generated clients.
package carts

import (
	"context"
	"errors"
	"fmt"
)

// Limits.
const (
	MaxQuantity = 999 // per line
	MaxLines    = 100 // per cart
)

// Line is an item and its quantity in a cart.
type Line struct {
	ItemID   int64
	Quantity int32
}

// Item is what a cart shows of an item.
type Item struct {
	ID         int64
	Title      string
	PriceCents int64
}

// Catalog is what the cart needs from the item service.
type Catalog interface {
	// Items returns the items of ids that exist, by id.
	Items(ctx context.Context, ids []int64) (map[int64]Item, error)
}

// DeductResult is the stock service's answer to a deduction: OK, or nothing deducted and the lines
// lacking stock.
type DeductResult struct {
	OK        bool
	Shortages []Shortage
}

// Shortage is a line lacking stock.
type Shortage struct {
	ItemID    int64
	Requested int64
	Available int64
}

// Inventory is what the cart needs from the stock service.
type Inventory interface {
	// Deduct takes the units of every line, all or none, once per order id.
	Deduct(ctx context.Context, orderID string, lines []Line) (DeductResult, error)
	// Release gives back what orderID deducted, and stops a later deduction of it.
	Release(ctx context.Context, orderID string) error
}

// CartLine is a line with its item's current title and price.
type CartLine struct {
	Item
	Quantity int32
}

// Cart is a user's cart priced at current prices.
type Cart struct {
	UserID     int64
	Lines      []CartLine
	TotalCents int64
}

// Order is the result of a checkout.
type Order struct {
	ID         string
	UserID     int64
	Lines      []CartLine
	TotalCents int64
}

// Errors the service returns; the handler maps them to the IDL's exceptions. Failures of the item or
// stock service are rpcerr errors with code Unavailable.
var (
	// ErrEmptyCart: checkout of a cart without lines.
	ErrEmptyCart = errors.New("the cart is empty")
	// ErrCartChanged: the cart changed while it was being checked out; nothing was ordered.
	ErrCartChanged = errors.New("the cart changed during checkout; try again")
)

// InvalidError is a request with a field out of range; nothing changed.
type InvalidError struct{ Message string }

// Error implements error.
func (e *InvalidError) Error() string { return e.Message }

func invalidf(format string, args ...any) error {
	return &InvalidError{Message: fmt.Sprintf(format, args...)}
}

// NotFoundError is an item that does not exist; nothing changed.
type NotFoundError struct{ ItemID int64 }

// Error implements error.
func (e *NotFoundError) Error() string { return fmt.Sprintf("item %d not found", e.ItemID) }

// OutOfStockError is a checkout that needs more than is available; nothing was deducted and the cart
// is kept.
type OutOfStockError struct{ Shortages []Shortage }

// Error implements error.
func (e *OutOfStockError) Error() string {
	return fmt.Sprintf("not enough stock for %d item(s)", len(e.Shortages))
}

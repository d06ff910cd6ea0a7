package carts_test

import (
	"context"
	"errors"
	"sync"

	"github.com/ternhq/tern/app/cart/internal/carts"
)

// catalog is an in-memory item service.
type catalog struct {
	mu    sync.Mutex
	items map[int64]carts.Item
	err   error // returned by every call when set
}

func newCatalog() *catalog {
	return &catalog{items: map[int64]carts.Item{
		1: {ID: 1, Title: "Mug", PriceCents: 1299},
		2: {ID: 2, Title: "Towel", PriceCents: 899},
		3: {ID: 3, Title: "Pencil", PriceCents: 1150},
	}}
}

func (c *catalog) Items(_ context.Context, ids []int64) (map[int64]carts.Item, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	out := map[int64]carts.Item{}
	for _, id := range ids {
		if it, ok := c.items[id]; ok {
			out[id] = it
		}
	}
	return out, nil
}

func (c *catalog) remove(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, id)
}

// inventory is an in-memory stock service with the real one's contract: a deduction is all or nothing
// and once per order id; a release gives back once and blocks a later deduction.
type inventory struct {
	mu       sync.Mutex
	levels   map[int64]int64
	orders   map[string][]carts.Line // deducted orders
	released map[string]bool
	// failAfter makes Deduct apply the deduction and then report this error (a timeout on the way back).
	failAfter error
	// during runs inside Deduct, before it answers.
	during func()
}

var errTimeout = errors.New("deadline exceeded")

func newInventory(levels map[int64]int64) *inventory {
	return &inventory{levels: levels, orders: map[string][]carts.Line{}, released: map[string]bool{}}
}

func (v *inventory) Deduct(_ context.Context, orderID string, lines []carts.Line) (carts.DeductResult, error) {
	if v.during != nil {
		v.during()
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.released[orderID] {
		return carts.DeductResult{}, nil
	}
	if _, dup := v.orders[orderID]; dup {
		return carts.DeductResult{OK: true}, nil
	}
	var short []carts.Shortage
	for _, l := range lines {
		if v.levels[l.ItemID] < int64(l.Quantity) {
			short = append(short, carts.Shortage{ItemID: l.ItemID, Requested: int64(l.Quantity), Available: v.levels[l.ItemID]})
		}
	}
	if len(short) > 0 {
		return carts.DeductResult{Shortages: short}, nil
	}
	for _, l := range lines {
		v.levels[l.ItemID] -= int64(l.Quantity)
	}
	v.orders[orderID] = lines
	return carts.DeductResult{OK: true}, v.failAfter
}

func (v *inventory) Release(_ context.Context, orderID string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.released[orderID] {
		return nil
	}
	v.released[orderID] = true
	for _, l := range v.orders[orderID] {
		v.levels[l.ItemID] += int64(l.Quantity)
	}
	return nil
}

func (v *inventory) level(id int64) int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.levels[id]
}

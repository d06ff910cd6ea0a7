// Package shoptest provides Fake, an in-memory shop.Backend with the semantics of the real services
// (cart lines of 1..999 units, checkout all or nothing), whose services can be made to fail, for tests
// of the shop logic and the HTTP API.
package shoptest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ternhq/tern/app/gateway/internal/shop"
)

// Service names, for Fail.
const (
	Item  = "item"
	Stock = "stock"
	Cart  = "cart"
)

// Fake is an in-memory shop.Backend. It is safe for concurrent use.
type Fake struct {
	mu     sync.Mutex
	items  map[int64]shop.Item // Stock unused: levels live in stock
	stock  map[int64]int64
	carts  map[int64][]shop.Line
	fail   map[string]error
	panics bool
	orders int
	calls  int
}

var _ shop.Backend = (*Fake)(nil)

// New returns a Fake with a catalogue of n items (ids 1..n, price id*100 cents, titles "Item <id>")
// with stock units each.
func New(n int, stock int64) *Fake {
	f := &Fake{
		items: make(map[int64]shop.Item), stock: make(map[int64]int64),
		carts: make(map[int64][]shop.Line), fail: make(map[string]error),
	}
	for id := int64(1); id <= int64(n); id++ {
		f.items[id] = shop.Item{ID: id, Title: fmt.Sprintf("Item %d", id), Description: "a test item", PriceCents: id * 100}
		f.stock[id] = stock
	}
	return f
}

// Fail makes every call to service return err (nil: succeed again).
func (f *Fake) Fail(service string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[service] = err
}

// PanicOnList makes ListItems panic, to test recovery.
func (f *Fake) PanicOnList() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.panics = true
}

// SetStock sets an item's available units.
func (f *Fake) SetStock(id, n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stock[id] = n
}

// Stock returns an item's available units.
func (f *Fake) Stock(id int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stock[id]
}

// Lines returns a copy of a user's cart lines.
func (f *Fake) Lines(userID int64) []shop.Line {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.carts[userID])
}

// Calls returns how many Backend methods were called.
func (f *Fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// enter locks f, counts the call and returns the failure set for service.
func (f *Fake) enter(service string) error {
	f.mu.Lock()
	f.calls++
	return f.fail[service]
}

// ListItems lists the catalogue by id, filtered by title.
func (f *Fake) ListItems(_ context.Context, q shop.ListQuery) ([]shop.Item, int64, error) {
	err := f.enter(Item)
	defer f.mu.Unlock()
	if f.panics {
		panic("shoptest: ListItems panics as asked")
	}
	if err != nil {
		return nil, 0, err
	}
	var match []shop.Item
	for _, it := range f.items {
		if strings.Contains(strings.ToLower(it.Title), strings.ToLower(q.Query)) {
			match = append(match, it)
		}
	}
	slices.SortFunc(match, func(a, b shop.Item) int { return int(a.ID - b.ID) })
	from := min(len(match), int((q.Page-1)*q.PageSize))
	to := min(len(match), from+int(q.PageSize))
	return match[from:to], int64(len(match)), nil
}

// GetItem returns an item.
func (f *Fake) GetItem(_ context.Context, id int64) (shop.Item, error) {
	err := f.enter(Item)
	defer f.mu.Unlock()
	if err != nil {
		return shop.Item{}, err
	}
	it, ok := f.items[id]
	if !ok {
		return shop.Item{}, shop.Errorf(shop.CodeNotFound, "item %d not found", id)
	}
	return it, nil
}

// StockLevels returns the levels of ids.
func (f *Fake) StockLevels(_ context.Context, ids []int64) (map[int64]int64, error) {
	err := f.enter(Stock)
	defer f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(ids))
	for _, id := range ids {
		out[id] = f.stock[id]
	}
	return out, nil
}

// Probe reports the services set to fail.
func (f *Fake) Probe(context.Context) map[string]error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return map[string]error{Item: f.fail[Item], Stock: f.fail[Stock], Cart: f.fail[Cart]}
}

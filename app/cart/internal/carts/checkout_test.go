package carts_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ternhq/tern/app/cart/internal/carts"
	"github.com/ternhq/tern/framework/rpcerr"
)

func TestCheckout(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.mustAdd(t, 7, 1, 2)
		e.mustAdd(t, 7, 2, 3)
		e.mustAdd(t, 8, 1, 1)
		o, err := e.svc.Checkout(e.ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		if o.ID == "" || o.UserID != 7 || len(o.Lines) != 2 || o.TotalCents != 2*1299+3*899 || o.Lines[1].Title != "Towel" {
			t.Fatalf("order %+v", o)
		}
		if e.inv.level(1) != 8 || e.inv.level(2) != 7 {
			t.Fatalf("levels %d %d, want 8 7", e.inv.level(1), e.inv.level(2))
		}
		if c, _ := e.svc.Get(e.ctx, 7); len(c.Lines) != 0 {
			t.Fatalf("cart after checkout: %+v", c)
		}
		if c, _ := e.svc.Get(e.ctx, 8); len(c.Lines) != 1 {
			t.Fatalf("another user's cart changed: %+v", c)
		}
		if _, err := e.svc.Checkout(e.ctx, 7); !errors.Is(err, carts.ErrEmptyCart) {
			t.Fatalf("second checkout = %v, want ErrEmptyCart", err)
		}
	})
}

// Every failing checkout leaves the stock levels and the cart as they were.
func TestCheckoutFailures(t *testing.T) {
	cases := []struct {
		name  string
		setup func(e *env)
		check func(t *testing.T, err error)
	}{
		{"out of stock", func(e *env) { e.inv.levels[3] = 0 }, func(t *testing.T, err error) {
			var oos *carts.OutOfStockError
			if !errors.As(err, &oos) || len(oos.Shortages) != 1 || oos.Shortages[0] != (carts.Shortage{ItemID: 3, Requested: 1}) {
				t.Fatalf("got %v, want OutOfStockError for item 3", err)
			}
		}},
		{"item gone", func(e *env) { e.cat.remove(2) }, func(t *testing.T, err error) {
			var nf *carts.NotFoundError
			if !errors.As(err, &nf) || nf.ItemID != 2 {
				t.Fatalf("got %v, want NotFoundError for item 2", err)
			}
		}},
		{"item service down", func(e *env) { e.cat.err = errors.New("refused") }, func(t *testing.T, err error) {
			if rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
				t.Fatalf("got %v, want Unavailable", err)
			}
		}},
		{"stock answer lost after deducting", func(e *env) { e.inv.failAfter = errTimeout }, func(t *testing.T, err error) {
			if rpcerr.CodeOf(err) != rpcerr.CodeUnavailable || !errors.Is(err, errTimeout) {
				t.Fatalf("got %v, want Unavailable caused by the timeout", err)
			}
		}},
		{"cart lowered during checkout", func(e *env) {
			e.inv.during = func() {
				if _, err := e.svc.SetQuantity(e.ctx, 7, 1, 1); err != nil {
					panic(err)
				}
			}
		}, func(t *testing.T, err error) {
			if !errors.Is(err, carts.ErrCartChanged) {
				t.Fatalf("got %v, want ErrCartChanged", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachDB(t, func(t *testing.T, e *env) {
				e.mustAdd(t, 7, 1, 2)
				e.mustAdd(t, 7, 2, 1)
				e.mustAdd(t, 7, 3, 1)
				tc.setup(e)
				before := [3]int64{e.inv.level(1), e.inv.level(2), e.inv.level(3)}
				_, err := e.svc.Checkout(e.ctx, 7)
				tc.check(t, err)
				if after := [3]int64{e.inv.level(1), e.inv.level(2), e.inv.level(3)}; after != before {
					t.Fatalf("stock levels %v, want %v as before", after, before)
				}
				lines, _ := e.store.Lines(e.ctx, 7)
				if len(lines) != 3 {
					t.Fatalf("cart lines %+v, want the 3 lines kept", lines)
				}
			})
		})
	}
}

// Units added while a checkout runs stay in the cart.
func TestCheckoutKeepsUnitsAddedMeanwhile(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.mustAdd(t, 7, 1, 2)
		e.inv.during = func() {
			e.inv.during = nil
			e.mustAdd(t, 7, 1, 3)
		}
		if _, err := e.svc.Checkout(e.ctx, 7); err != nil {
			t.Fatal(err)
		}
		if lines, _ := e.store.Lines(e.ctx, 7); len(lines) != 1 || lines[0].Quantity != 3 {
			t.Fatalf("cart after checkout: %+v, want the 3 units added meanwhile", lines)
		}
	})
}

// 200 users check out one unit of an item with stock 50 at once: exactly 50 orders, every other
// checkout is out of stock and keeps its cart.
func TestConcurrentCheckouts(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.inv.levels[1] = 50
		const users = 200
		for u := int64(1); u <= users; u++ {
			e.mustAdd(t, u, 1, 1)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			ordered int
			bad     []error
		)
		for u := int64(1); u <= users; u++ {
			wg.Go(func() {
				_, err := e.svc.Checkout(e.ctx, u)
				var oos *carts.OutOfStockError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ordered++
				case !errors.As(err, &oos):
					bad = append(bad, fmt.Errorf("user %d: %w", u, err))
				}
			})
		}
		wg.Wait()
		if len(bad) > 0 {
			t.Fatalf("%d unexpected errors, first: %v", len(bad), bad[0])
		}
		if ordered != 50 || e.inv.level(1) != 0 {
			t.Fatalf("%d orders, level %d; want 50 and 0", ordered, e.inv.level(1))
		}
	})
}

// Concurrent adds of one line by one user all count.
func TestConcurrentAdds(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				if _, err := e.svc.Add(e.ctx, 7, 1, 2); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if lines, _ := e.store.Lines(e.ctx, 7); len(lines) != 1 || lines[0].Quantity != 80 {
			t.Fatalf("lines %+v, want one line of 80", lines)
		}
	})
}

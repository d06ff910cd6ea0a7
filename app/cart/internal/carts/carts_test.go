package carts_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/ternhq/tern/app/cart/internal/carts"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/rpcerr"
	"gorm.io/gorm"
)

var databases = []struct {
	name string
	open func(t *testing.T) *gorm.DB
}{
	{"sqlite", func(t *testing.T) *gorm.DB { return platformtest.SQLite(t) }},
	{"mariadb", func(t *testing.T) *gorm.DB { return platformtest.MySQL(t) }},
}

// env is a cart service on a real database with in-memory item and stock services.
type env struct {
	ctx   context.Context
	svc   *carts.Service
	store *carts.Store
	cat   *catalog
	inv   *inventory
}

// forEachDB runs test against a fresh service on each database engine.
func forEachDB(t *testing.T, test func(t *testing.T, e *env)) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			ctx := platformtest.Context(t, time.Minute)
			store := carts.NewStore(db.open(t))
			if err := store.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			e := &env{ctx: ctx, store: store, cat: newCatalog(), inv: newInventory(map[int64]int64{1: 10, 2: 10, 3: 1})}
			e.svc = carts.NewService(store, e.cat, e.inv, slog.New(slog.DiscardHandler))
			test(t, e)
		})
	}
}

func (e *env) mustAdd(t *testing.T, user, item int64, qty int32) carts.Cart {
	t.Helper()
	c, err := e.svc.Add(e.ctx, user, item, qty)
	if err != nil {
		t.Fatalf("Add(%d, %d, %d): %v", user, item, qty, err)
	}
	return c
}

func TestCartEditing(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.mustAdd(t, 7, 1, 2)
		e.mustAdd(t, 7, 2, 1)
		c := e.mustAdd(t, 7, 1, 3) // adds to the existing line
		if len(c.Lines) != 2 || c.Lines[0].Quantity != 5 || c.Lines[0].Title != "Mug" || c.TotalCents != 5*1299+899 {
			t.Fatalf("cart after adds: %+v", c)
		}
		if c, _ = e.svc.SetQuantity(e.ctx, 7, 2, 4); c.TotalCents != 5*1299+4*899 {
			t.Fatalf("after SetQuantity: %+v", c)
		}
		if c, _ = e.svc.SetQuantity(e.ctx, 7, 2, 0); len(c.Lines) != 1 {
			t.Fatalf("SetQuantity 0 keeps the line: %+v", c)
		}
		if other, _ := e.svc.Get(e.ctx, 8); len(other.Lines) != 0 {
			t.Fatalf("another user's cart: %+v", other)
		}
		if c, _ = e.svc.Remove(e.ctx, 7, 1); len(c.Lines) != 0 || c.TotalCents != 0 {
			t.Fatalf("after Remove: %+v", c)
		}
		e.mustAdd(t, 7, 3, 1)
		if c, _ = e.svc.Clear(e.ctx, 7); len(c.Lines) != 0 {
			t.Fatalf("after Clear: %+v", c)
		}
		if c, _ = e.svc.Get(e.ctx, 7); len(c.Lines) != 0 {
			t.Fatalf("Get after Clear: %+v", c)
		}
	})
}

func TestInvalidEdits(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.mustAdd(t, 7, 1, 990)
		var invalid *carts.InvalidError
		var notFound *carts.NotFoundError
		cases := []struct {
			name string
			call func() error
			want any
		}{
			{"zero quantity", func() error { _, err := e.svc.Add(e.ctx, 7, 2, 0); return err }, &invalid},
			{"negative quantity", func() error { _, err := e.svc.Add(e.ctx, 7, 2, -3); return err }, &invalid},
			{"huge quantity", func() error { _, err := e.svc.Add(e.ctx, 7, 2, 1000); return err }, &invalid},
			{"line over the limit", func() error { _, err := e.svc.Add(e.ctx, 7, 1, 10); return err }, &invalid},
			{"set over the limit", func() error { _, err := e.svc.SetQuantity(e.ctx, 7, 1, 1000); return err }, &invalid},
			{"no user", func() error { _, err := e.svc.Add(e.ctx, 0, 1, 1); return err }, &invalid},
			{"bad item id", func() error { _, err := e.svc.Add(e.ctx, 7, -1, 1); return err }, &invalid},
			{"unknown item", func() error { _, err := e.svc.Add(e.ctx, 7, 99, 1); return err }, &notFound},
			{"set unknown item", func() error { _, err := e.svc.SetQuantity(e.ctx, 7, 99, 1); return err }, &notFound},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.call(); err == nil || !errors.As(err, tc.want) {
					t.Fatalf("got %v, want %T", err, tc.want)
				}
			})
		}
		if c, _ := e.svc.Get(e.ctx, 7); len(c.Lines) != 1 || c.Lines[0].Quantity != 990 {
			t.Fatalf("invalid edits changed the cart: %+v", c)
		}
		e.cat.err = errors.New("connection refused")
		if _, err := e.svc.Add(e.ctx, 7, 2, 1); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
			t.Fatalf("Add with the item service down = %v, want Unavailable", err)
		}
	})
}

func TestCartLineLimit(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		for id := int64(1); id <= carts.MaxLines; id++ {
			e.cat.items[id] = carts.Item{ID: id, Title: "x", PriceCents: 1}
			if ok, err := e.store.Add(e.ctx, 7, id, 1); err != nil || !ok {
				t.Fatalf("store.Add %d = %v, %v", id, ok, err)
			}
		}
		e.cat.items[carts.MaxLines+1] = carts.Item{ID: carts.MaxLines + 1, Title: "x", PriceCents: 1}
		var invalid *carts.InvalidError
		if _, err := e.svc.Add(e.ctx, 7, carts.MaxLines+1, 1); !errors.As(err, &invalid) {
			t.Fatalf("Add to a full cart = %v, want InvalidError", err)
		}
		if _, err := e.svc.Add(e.ctx, 7, 1, 1); err != nil {
			t.Fatalf("Add to an existing line of a full cart = %v", err)
		}
	})
}

package shop_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/app/gateway/internal/shop/shoptest"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestValidationBeforeCalls: invalid input is refused with CodeInvalid before any downstream call.
func TestValidationBeforeCalls(t *testing.T) {
	ctx := testContext(t)
	tests := []struct {
		name string
		call func(*shop.Service) error
	}{
		{"page 0", func(s *shop.Service) error { _, err := s.Items(ctx, shop.ListQuery{Page: 0, PageSize: 10}); return err }},
		{"page size 101", func(s *shop.Service) error {
			_, err := s.Items(ctx, shop.ListQuery{Page: 1, PageSize: 101})
			return err
		}},
		{"long query", func(s *shop.Service) error {
			_, err := s.Items(ctx, shop.ListQuery{Page: 1, PageSize: 1, Query: strings.Repeat("x", 201)})
			return err
		}},
		{"item 0", func(s *shop.Service) error { _, err := s.Item(ctx, 0); return err }},
		{"user 0", func(s *shop.Service) error { _, err := s.Cart(ctx, 0); return err }},
		{"add 0 units", func(s *shop.Service) error { _, err := s.AddToCart(ctx, 1, 1, 0); return err }},
		{"add 1000 units", func(s *shop.Service) error { _, err := s.AddToCart(ctx, 1, 1, 1000); return err }},
		{"add 2^32+1 units", func(s *shop.Service) error { _, err := s.AddToCart(ctx, 1, 1, 1<<32+1); return err }},
		{"add item -1", func(s *shop.Service) error { _, err := s.AddToCart(ctx, 1, -1, 1); return err }},
		{"set -1 units", func(s *shop.Service) error { _, err := s.SetQuantity(ctx, 1, 1, -1); return err }},
		{"remove item 0", func(s *shop.Service) error { _, err := s.RemoveFromCart(ctx, 1, 0); return err }},
		{"checkout user -5", func(s *shop.Service) error { _, err := s.Checkout(ctx, -5); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := shoptest.New(3, 5)
			if err := tt.call(shop.NewService(fake)); shop.CodeOf(err) != shop.CodeInvalid {
				t.Errorf("error %v, want %s", err, shop.CodeInvalid)
			}
			if n := fake.Calls(); n != 0 {
				t.Errorf("%d downstream calls", n)
			}
		})
	}
}

func TestItemsJoinStock(t *testing.T) {
	fake := shoptest.New(3, 5)
	fake.SetStock(2, 0)
	page, err := shop.NewService(fake).Items(testContext(t), shop.ListQuery{Page: 1, PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{5, 0, 5}
	if page.Total != 3 || len(page.Items) != 3 {
		t.Fatalf("page %+v", page)
	}
	for i, it := range page.Items {
		if it.Stock != want[i] {
			t.Errorf("item %d: stock %d, want %d", it.ID, it.Stock, want[i])
		}
	}
}

// TestClassify: shop errors pass through; anything else becomes CodeDownstream, keeping the cause.
func TestClassify(t *testing.T) {
	cause := errors.New("socket closed")
	tests := []struct {
		name string
		err  error
		want shop.Code
	}{
		{"unavailable", shop.Errorf(shop.CodeUnavailable, "down"), shop.CodeUnavailable},
		{"not found", shop.Errorf(shop.CodeNotFound, "gone"), shop.CodeNotFound},
		{"plain error", cause, shop.CodeDownstream},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := shoptest.New(1, 1)
			fake.Fail(shoptest.Cart, tt.err)
			_, err := shop.NewService(fake).Cart(testContext(t), 1)
			if shop.CodeOf(err) != tt.want {
				t.Errorf("code %q, want %q", shop.CodeOf(err), tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not wrap %v", err, tt.err)
			}
		})
	}
}

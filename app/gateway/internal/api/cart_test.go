package api_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ternhq/tern/app/gateway/internal/auth"
	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/app/gateway/internal/shop/shoptest"
)

func TestCartFlow(t *testing.T) {
	e := newEnv(t, nil)
	alice := e.token(1)
	steps := []struct {
		name, method, path, body string
		want                     map[int64]int32 // item → quantity after the step
		total                    int64
	}{
		{"empty", "GET", "/api/v1/cart", "", map[int64]int32{}, 0},
		{"add", "POST", "/api/v1/cart/items", `{"item_id":2,"quantity":3}`, map[int64]int32{2: 3}, 600},
		{"add to the line", "POST", "/api/v1/cart/items", `{"item_id":2,"quantity":1}`, map[int64]int32{2: 4}, 800},
		{"another line", "POST", "/api/v1/cart/items", `{"item_id":5,"quantity":1}`, map[int64]int32{2: 4, 5: 1}, 1300},
		{"set", "PUT", "/api/v1/cart/items/2", `{"quantity":2}`, map[int64]int32{2: 2, 5: 1}, 900},
		{"set 0 removes", "PUT", "/api/v1/cart/items/5", `{"quantity":0}`, map[int64]int32{2: 2}, 400},
		{"remove absent", "DELETE", "/api/v1/cart/items/3", "", map[int64]int32{2: 2}, 400},
		{"add again", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":999}`, map[int64]int32{1: 999, 2: 2}, 100300},
		{"remove", "DELETE", "/api/v1/cart/items/1", "", map[int64]int32{2: 2}, 400},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := e.do(s.method, s.path, s.body, alice)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var c cartJSON
			r.decode(t, &c)
			got := map[int64]int32{}
			for _, it := range c.Items {
				got[it.ItemID] = it.Quantity
				if it.Title == "" || it.PriceCents != it.ItemID*100 {
					t.Errorf("line %+v", it)
				}
			}
			if c.Items == nil || len(got) != len(s.want) || c.TotalCents != s.total {
				t.Fatalf("cart %s, want %v total %d", r.body, s.want, s.total)
			}
			for id, q := range s.want {
				if got[id] != q {
					t.Errorf("item %d: quantity %d, want %d", id, got[id], q)
				}
			}
		})
	}
}

func TestCheckout(t *testing.T) {
	e := newEnv(t, nil)
	alice := e.token(1)
	e.do("POST", "/api/v1/cart/items", `{"item_id":1,"quantity":4}`, alice)
	e.do("POST", "/api/v1/cart/items", `{"item_id":3,"quantity":10}`, alice)
	r := e.do("POST", "/api/v1/cart/checkout", "", alice)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var o struct {
		OrderID    string `json:"order_id"`
		TotalCents int64  `json:"total_cents"`
		Items      []struct {
			ItemID   int64 `json:"item_id"`
			Quantity int32 `json:"quantity"`
		} `json:"items"`
	}
	r.decode(t, &o)
	if o.OrderID == "" || o.TotalCents != 4*100+10*300 || len(o.Items) != 2 {
		t.Errorf("order %s", r.body)
	}
	if s1, s3 := e.fake.Stock(1), e.fake.Stock(3); s1 != 6 || s3 != 0 {
		t.Errorf("stock after checkout: item 1 %d, item 3 %d; want 6, 0", s1, s3)
	}
	var c cartJSON
	e.do("GET", "/api/v1/cart", "", alice).decode(t, &c)
	if len(c.Items) != 0 || c.TotalCents != 0 {
		t.Errorf("cart after checkout %+v", c)
	}
}

func TestCheckoutFailures(t *testing.T) {
	tests := []struct {
		name    string
		qty     string // quantity of item 1 in the cart, "" for an empty cart
		failErr error  // error of the cart service, if any
		status  int
		code    string
	}{
		{"empty cart", "", nil, http.StatusBadRequest, "empty_cart"},
		{"not enough stock", "11", nil, http.StatusConflict, "out_of_stock"},
		{"cart unavailable", "1", shop.Errorf(shop.CodeUnavailable, "cart service unavailable"), http.StatusServiceUnavailable, "unavailable"},
		{"cart changed", "1", shop.Errorf(shop.CodeConflict, "the cart changed"), http.StatusConflict, "conflict"},
		{"cart fails oddly", "1", errors.New("boom"), http.StatusBadGateway, "bad_gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			alice := e.token(1)
			if tt.qty != "" {
				e.do("POST", "/api/v1/cart/items", `{"item_id":1,"quantity":`+tt.qty+`}`, alice)
			}
			before := e.fake.Lines(1)
			e.fake.Fail(shoptest.Cart, tt.failErr)
			r := e.do("POST", "/api/v1/cart/checkout", "", alice)
			if r.status != tt.status || r.errorCode(t) != tt.code {
				t.Fatalf("status %d, want %d %s: %s", r.status, tt.status, tt.code, r.body)
			}
			if e.fake.Stock(1) != 10 || !slices.Equal(e.fake.Lines(1), before) {
				t.Errorf("a failed checkout changed something: stock %d, lines %+v", e.fake.Stock(1), e.fake.Lines(1))
			}
		})
	}
}

// TestCartBadInput sends bad requests after alice put 2 units of item 1 in her cart: each gets its
// documented status and leaves her cart and the stock as they were.
func TestCartBadInput(t *testing.T) {
	e := newEnv(t, nil)
	alice := e.token(1)
	if r := e.do("POST", "/api/v1/cart/items", `{"item_id":1,"quantity":2}`, alice); r.status != http.StatusOK {
		t.Fatalf("setup: %d %s", r.status, r.body)
	}
	before := e.fake.Lines(1)
	expired := expiredToken(t)
	forged := forgedToken(t)
	tests := []struct {
		name, method, path, body, token string
		status                          int
		code                            string
	}{
		{"malformed JSON", "POST", "/api/v1/cart/items", `{"item_id":1,`, alice, 400, "invalid_argument"},
		{"empty body", "POST", "/api/v1/cart/items", ``, alice, 400, "invalid_argument"},
		{"JSON null", "POST", "/api/v1/cart/items", `null`, alice, 400, "invalid_argument"},
		{"id as string", "POST", "/api/v1/cart/items", `{"item_id":"1","quantity":1}`, alice, 400, "invalid_argument"},
		{"fractional quantity", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":1.5}`, alice, 400, "invalid_argument"},
		{"boolean quantity", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":true}`, alice, 400, "invalid_argument"},
		{"missing quantity", "POST", "/api/v1/cart/items", `{"item_id":1}`, alice, 400, "invalid_argument"},
		{"missing item", "POST", "/api/v1/cart/items", `{"quantity":1}`, alice, 400, "invalid_argument"},
		{"zero quantity", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":0}`, alice, 400, "invalid_argument"},
		{"negative quantity", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":-3}`, alice, 400, "invalid_argument"},
		{"quantity 1000", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":1000}`, alice, 400, "invalid_argument"},
		{"quantity beyond int32", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":4294967297}`, alice, 400, "invalid_argument"},
		{"quantity beyond int64", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":99999999999999999999}`, alice, 400, "invalid_argument"},
		{"quantity in exponent form", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":1e2}`, alice, 400, "invalid_argument"},
		{"line over 999", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":998}`, alice, 400, "invalid_argument"},
		{"zero item id", "POST", "/api/v1/cart/items", `{"item_id":0,"quantity":1}`, alice, 400, "invalid_argument"},
		{"negative item id", "POST", "/api/v1/cart/items", `{"item_id":-1,"quantity":1}`, alice, 400, "invalid_argument"},
		{"unknown item", "POST", "/api/v1/cart/items", `{"item_id":404,"quantity":1}`, alice, 404, "not_found"},
		{"user_id in the body", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":1,"user_id":2}`, alice, 400, "invalid_argument"},
		{"set: negative", "PUT", "/api/v1/cart/items/1", `{"quantity":-1}`, alice, 400, "invalid_argument"},
		{"set: 1000", "PUT", "/api/v1/cart/items/1", `{"quantity":1000}`, alice, 400, "invalid_argument"},
		{"set: string", "PUT", "/api/v1/cart/items/1", `{"quantity":"5"}`, alice, 400, "invalid_argument"},
		{"set: missing", "PUT", "/api/v1/cart/items/1", `{}`, alice, 400, "invalid_argument"},
		{"set: bad path id", "PUT", "/api/v1/cart/items/one", `{"quantity":1}`, alice, 400, "invalid_argument"},
		{"set: unknown item", "PUT", "/api/v1/cart/items/404", `{"quantity":1}`, alice, 404, "not_found"},
		{"remove: bad path id", "DELETE", "/api/v1/cart/items/0", ``, alice, 400, "invalid_argument"},
		{"no token", "POST", "/api/v1/cart/items", `{"item_id":1,"quantity":1}`, "", 401, "unauthenticated"},
		{"forged token", "DELETE", "/api/v1/cart/items/1", ``, forged, 401, "unauthenticated"},
		{"expired token", "PUT", "/api/v1/cart/items/1", `{"quantity":5}`, expired, 401, "unauthenticated"},
		{"garbage token", "POST", "/api/v1/cart/checkout", ``, "not-a-token", 401, "unauthenticated"},
		{"checkout, forged", "POST", "/api/v1/cart/checkout", ``, forged, 401, "unauthenticated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, tt.body, tt.token)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if got := r.errorCode(t); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
			if after := e.fake.Lines(1); !slices.Equal(after, before) || e.fake.Stock(1) != 10 {
				t.Errorf("changed: lines %+v (were %+v), stock %d", after, before, e.fake.Stock(1))
			}
		})
	}
}

// TestOtherUsersCart: bob cannot see or change alice's cart, whatever he sends.
func TestOtherUsersCart(t *testing.T) {
	e := newEnv(t, nil)
	alice, bob := e.token(1), e.token(2)
	e.do("POST", "/api/v1/cart/items", `{"item_id":3,"quantity":2}`, alice)
	before := e.fake.Lines(1)

	var c cartJSON
	e.do("GET", "/api/v1/cart?user_id=1", "", bob).decode(t, &c)
	if len(c.Items) != 0 {
		t.Errorf("bob sees %+v", c)
	}
	if r := e.do("DELETE", "/api/v1/cart/items/3?user_id=1", "", bob); r.status != http.StatusOK {
		t.Errorf("bob's remove: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/cart/items/3", `{"quantity":9,"user_id":1}`, bob); r.status != http.StatusBadRequest {
		t.Errorf("bob's set naming alice: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/cart/checkout", "", bob); r.status != http.StatusBadRequest || r.errorCode(t) != "empty_cart" {
		t.Errorf("bob's checkout: %d %s", r.status, r.body)
	}
	if after := e.fake.Lines(1); !slices.Equal(after, before) || e.fake.Stock(3) != 10 {
		t.Errorf("alice's cart changed: %+v (was %+v), stock %d", after, before, e.fake.Stock(3))
	}
	if lines := e.fake.Lines(2); len(lines) != 0 {
		t.Errorf("bob has lines %+v", lines)
	}
}

func expiredToken(t *testing.T) string {
	t.Helper()
	s, err := auth.NewSigner(testSecret, time.Minute, auth.WithClock(func() time.Time { return time.Now().Add(-time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := s.Issue(auth.User{ID: 1, Username: "alice"})
	return tok
}

func forgedToken(t *testing.T) string {
	t.Helper()
	s, err := auth.NewSigner([]byte("a guessed secret of 32 bytes or more"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := s.Issue(auth.User{ID: 1, Username: "alice"})
	return tok
}

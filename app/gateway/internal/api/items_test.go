package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/app/gateway/internal/shop/shoptest"
)

type itemsJSON struct {
	Items []struct {
		ID          int64  `json:"id"`
		Title       string `json:"title"`
		Description string `json:"description"`
		PriceCents  int64  `json:"price_cents"`
		Stock       int64  `json:"stock"`
	} `json:"items"`
	Total int64 `json:"total"`
}

func TestListItems(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.SetStock(4, 3)
	tests := []struct {
		name, query string
		wantIDs     []int64
		wantTotal   int64
	}{
		{"defaults", "", []int64{1, 2, 3, 4, 5}, 5},
		{"second page", "?page=2&page_size=2", []int64{3, 4}, 5},
		{"past the end", "?page=9&page_size=2", []int64{}, 5},
		{"search", "?q=item%203", []int64{3}, 1},
		{"search, no match", "?q=nothing", []int64{}, 0},
		{"largest page", "?page_size=100", []int64{1, 2, 3, 4, 5}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/items"+tt.query, "", "")
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if !strings.Contains(string(r.body), `"items":[`) {
				t.Errorf("items is not an array: %s", r.body)
			}
			var got itemsJSON
			r.decode(t, &got)
			if got.Total != tt.wantTotal || len(got.Items) != len(tt.wantIDs) {
				t.Fatalf("total %d, %d items; want %d, %v", got.Total, len(got.Items), tt.wantTotal, tt.wantIDs)
			}
			for i, it := range got.Items {
				wantStock := int64(10)
				if it.ID == 4 {
					wantStock = 3
				}
				if it.ID != tt.wantIDs[i] || it.PriceCents != it.ID*100 || it.Stock != wantStock || it.Title == "" {
					t.Errorf("item %d: %+v", i, it)
				}
			}
		})
	}
}

func TestListItemsBadInput(t *testing.T) {
	e := newEnv(t, nil)
	for _, q := range []string{
		"?page=0", "?page=-1", "?page=abc", "?page=1.5", "?page=99999999999",
		"?page_size=0", "?page_size=101", "?page_size=-5", "?page_size=ten",
		"?q=" + strings.Repeat("a", 201), "?q=%ff%fe",
	} {
		t.Run(q, func(t *testing.T) {
			r := e.do("GET", "/api/v1/items"+q, "", "")
			if r.status != http.StatusBadRequest || r.errorCode(t) != "invalid_argument" {
				t.Errorf("status %d: %s", r.status, r.body)
			}
			if n := e.fake.Calls(); n != 0 {
				t.Errorf("bad input reached the backend (%d calls)", n)
			}
		})
	}
}

func TestGetItem(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.SetStock(2, 7)
	tests := []struct {
		name, id string
		status   int
		code     string
	}{
		{"known", "2", http.StatusOK, ""},
		{"unknown", "42", http.StatusNotFound, "not_found"},
		{"zero", "0", http.StatusBadRequest, "invalid_argument"},
		{"negative", "-1", http.StatusBadRequest, "invalid_argument"},
		{"word", "abc", http.StatusBadRequest, "invalid_argument"},
		{"fraction", "1.5", http.StatusBadRequest, "invalid_argument"},
		{"overflow", "99999999999999999999", http.StatusBadRequest, "invalid_argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/items/"+tt.id, "", "")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.code != "" {
				if got := r.errorCode(t); got != tt.code {
					t.Errorf("code %q, want %q", got, tt.code)
				}
				return
			}
			var it struct {
				ID, PriceCents, Stock int64
				Title                 string
			}
			r.decode(t, &it)
			if it.ID != 2 || it.Stock != 7 || it.Title != "Item 2" {
				t.Errorf("item %s", r.body)
			}
		})
	}
}

func TestItemsDownstreamFailures(t *testing.T) {
	tests := []struct {
		name, service string
		err           error
		status        int
		code          string
	}{
		{"item unavailable", shoptest.Item, shop.Errorf(shop.CodeUnavailable, "item service unavailable"), http.StatusServiceUnavailable, "unavailable"},
		{"stock unavailable", shoptest.Stock, shop.Errorf(shop.CodeUnavailable, "stock service unavailable"), http.StatusServiceUnavailable, "unavailable"},
		{"item fails oddly", shoptest.Item, errors.New("disk on fire"), http.StatusBadGateway, "bad_gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.fake.Fail(tt.service, tt.err)
			for _, path := range []string{"/api/v1/items", "/api/v1/items/1"} {
				r := e.do("GET", path, "", "")
				if r.status != tt.status || r.errorCode(t) != tt.code {
					t.Errorf("%s: status %d: %s", path, r.status, r.body)
				}
				if strings.Contains(string(r.body), "disk on fire") {
					t.Errorf("%s: a downstream error's detail leaks: %s", path, r.body)
				}
			}
		})
	}
}

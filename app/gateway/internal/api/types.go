package api

import (
	"time"

	"github.com/ternhq/tern/app/gateway/internal/shop"
)

// Request bodies. Pointer fields tell a missing field from a zero one.

type loginRequest struct {
	Username *string `json:"username"`
	Password *string `json:"password"`
}

type addItemRequest struct {
	ItemID   *int64 `json:"item_id"`
	Quantity *int64 `json:"quantity"`
}

type setQuantityRequest struct {
	Quantity *int64 `json:"quantity"`
}

// Response bodies.

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

type itemJSON struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	PriceCents  int64  `json:"price_cents"`
	Stock       int64  `json:"stock"`
}

type itemListResponse struct {
	Items []itemJSON `json:"items"`
	Total int64      `json:"total"`
}

type lineJSON struct {
	ItemID     int64  `json:"item_id"`
	Title      string `json:"title"`
	PriceCents int64  `json:"price_cents"`
	Quantity   int32  `json:"quantity"`
}

type cartResponse struct {
	Items      []lineJSON `json:"items"`
	TotalCents int64      `json:"total_cents"`
}

type orderResponse struct {
	OrderID    string     `json:"order_id"`
	TotalCents int64      `json:"total_cents"`
	Items      []lineJSON `json:"items"`
}

func toItemJSON(it shop.Item) itemJSON {
	return itemJSON{ID: it.ID, Title: it.Title, Description: it.Description, PriceCents: it.PriceCents, Stock: it.Stock}
}

func toLinesJSON(lines []shop.Line) []lineJSON {
	out := make([]lineJSON, len(lines)) // never null in JSON
	for i, l := range lines {
		out[i] = lineJSON{ItemID: l.ItemID, Title: l.Title, PriceCents: l.PriceCents, Quantity: l.Quantity}
	}
	return out
}

func toCartResponse(c shop.Cart) cartResponse {
	return cartResponse{Items: toLinesJSON(c.Lines), TotalCents: c.TotalCents}
}

package api

import (
	"context"
	"net/http"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
	"github.com/ternhq/tern/app/gateway/internal/middleware"
	"github.com/ternhq/tern/app/gateway/internal/shop"
)

// login: POST /api/v1/login {"username","password"} → {"token","expires_at"}.
func (hs *handlers) login(ctx context.Context, c *app.RequestContext) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		writeDecodeError(ctx, c, err)
		return
	}
	if req.Username == nil || req.Password == nil || *req.Username == "" || *req.Password == "" {
		apierr.Write(ctx, c, http.StatusBadRequest, apierr.CodeInvalid, "username and password are required")
		return
	}
	user, err := hs.Users.Authenticate(*req.Username, *req.Password)
	if err != nil {
		apierr.Write(ctx, c, http.StatusUnauthorized, apierr.CodeInvalidCredentials, "wrong username or password")
		return
	}
	token, expires := hs.Signer.Issue(user)
	writeJSON(c, http.StatusOK, loginResponse{Token: token, ExpiresAt: expires.UTC()})
}

// listItems: GET /api/v1/items?page=&page_size=&q= → {"items","total"}.
func (hs *handlers) listItems(ctx context.Context, c *app.RequestContext) {
	page, okPage := queryInt32(c, "page", 1)
	size, okSize := queryInt32(c, "page_size", shop.DefaultPageSize)
	if !okPage || !okSize {
		apierr.Write(ctx, c, http.StatusBadRequest, apierr.CodeInvalid, "page and page_size must be integers")
		return
	}
	res, err := hs.Shop.Items(ctx, shop.ListQuery{Page: page, PageSize: size, Query: c.Query("q")})
	if err != nil {
		hs.writeShopError(ctx, c, err)
		return
	}
	out := itemListResponse{Items: make([]itemJSON, len(res.Items)), Total: res.Total}
	for i, it := range res.Items {
		out.Items[i] = toItemJSON(it)
	}
	writeJSON(c, http.StatusOK, out)
}

// getItem: GET /api/v1/items/{id} → one item with its stock.
func (hs *handlers) getItem(ctx context.Context, c *app.RequestContext) {
	id, ok := pathID(c, "id")
	if !ok {
		apierr.Write(ctx, c, http.StatusBadRequest, apierr.CodeInvalid, "item id must be a positive integer")
		return
	}
	it, err := hs.Shop.Item(ctx, id)
	if err != nil {
		hs.writeShopError(ctx, c, err)
		return
	}
	writeJSON(c, http.StatusOK, toItemJSON(it))
}

// getCart: GET /api/v1/cart → the signed-in user's cart.
func (hs *handlers) getCart(ctx context.Context, c *app.RequestContext) {
	hs.answerCart(ctx, c)(hs.Shop.Cart(ctx, userID(c)))
}

// addItem: POST /api/v1/cart/items {"item_id","quantity"} → the cart.
func (hs *handlers) addItem(ctx context.Context, c *app.RequestContext) {
	var req addItemRequest
	if err := decodeJSON(c, &req); err != nil {
		writeDecodeError(ctx, c, err)
		return
	}
	if req.ItemID == nil || req.Quantity == nil {
		apierr.Write(ctx, c, http.StatusBadRequest, apierr.CodeInvalid, "item_id and quantity are required")
		return
	}
	hs.answerCart(ctx, c)(hs.Shop.AddToCart(ctx, userID(c), *req.ItemID, *req.Quantity))
}

// setQuantity: PUT /api/v1/cart/items/{item_id} {"quantity"} → the cart; 0 removes the line.
func (hs *handlers) setQuantity(ctx context.Context, c *app.RequestContext) {
	itemID, ok := pathID(c, "item_id")
	if !ok {
		apierr.Write(ctx, c, http.StatusBadRequest, apierr.CodeInvalid, "item id must be a positive integer")
		return
	}
	var req setQuantityRequest
	if err := decodeJSON(c, &req); err != nil {
		writeDecodeError(ctx, c, err)
		return
	}
	if req.Quantity == nil {
		apierr.Write(ctx, c, http.StatusBadRequest, apierr.CodeInvalid, "quantity is required")
		return
	}
	hs.answerCart(ctx, c)(hs.Shop.SetQuantity(ctx, userID(c), itemID, *req.Quantity))
}

// removeItem: DELETE /api/v1/cart/items/{item_id} → the cart.
func (hs *handlers) removeItem(ctx context.Context, c *app.RequestContext) {
	itemID, ok := pathID(c, "item_id")
	if !ok {
		apierr.Write(ctx, c, http.StatusBadRequest, apierr.CodeInvalid, "item id must be a positive integer")
		return
	}
	hs.answerCart(ctx, c)(hs.Shop.RemoveFromCart(ctx, userID(c), itemID))
}

// checkout: POST /api/v1/cart/checkout → the order.
func (hs *handlers) checkout(ctx context.Context, c *app.RequestContext) {
	o, err := hs.Shop.Checkout(ctx, userID(c))
	if err != nil {
		hs.writeShopError(ctx, c, err)
		return
	}
	writeJSON(c, http.StatusOK, orderResponse{OrderID: o.ID, TotalCents: o.TotalCents, Items: toLinesJSON(o.Lines)})
}

// answerCart returns a function writing a cart operation's result.
func (hs *handlers) answerCart(ctx context.Context, c *app.RequestContext) func(shop.Cart, error) {
	return func(cart shop.Cart, err error) {
		if err != nil {
			hs.writeShopError(ctx, c, err)
			return
		}
		writeJSON(c, http.StatusOK, toCartResponse(cart))
	}
}

// userID returns the signed-in user's id; RequireAuth guarantees there is one on the cart routes.
func userID(c *app.RequestContext) int64 {
	claims, _ := middleware.UserOf(c)
	return claims.UserID
}

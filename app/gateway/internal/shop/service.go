package shop

import (
	"context"
	"errors"
	"unicode/utf8"
)

// Service is the shop's logic over a Backend. It is safe for concurrent use.
type Service struct {
	backend Backend
}

// NewService returns the shop logic over b.
func NewService(b Backend) *Service { return &Service{backend: b} }

// Items returns a page of the catalogue, each item with its stock.
func (s *Service) Items(ctx context.Context, q ListQuery) (ItemPage, error) {
	if err := q.validate(); err != nil {
		return ItemPage{}, err
	}
	items, total, err := s.backend.ListItems(ctx, q)
	if err != nil {
		return ItemPage{}, classify(err)
	}
	if err := s.withStock(ctx, items); err != nil {
		return ItemPage{}, err
	}
	return ItemPage{Items: items, Total: total}, nil
}

// Item returns one item with its stock.
func (s *Service) Item(ctx context.Context, id int64) (Item, error) {
	if id <= 0 {
		return Item{}, Errorf(CodeInvalid, "item id must be a positive integer")
	}
	it, err := s.backend.GetItem(ctx, id)
	if err != nil {
		return Item{}, classify(err)
	}
	items := []Item{it}
	if err := s.withStock(ctx, items); err != nil {
		return Item{}, err
	}
	return items[0], nil
}

// withStock fills in the stock of items.
func (s *Service) withStock(ctx context.Context, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	levels, err := s.backend.StockLevels(ctx, ids)
	if err != nil {
		return classify(err)
	}
	for i := range items {
		items[i].Stock = levels[items[i].ID]
	}
	return nil
}

// Cart returns the user's cart.
func (s *Service) Cart(ctx context.Context, userID int64) (Cart, error) {
	if err := checkUser(userID); err != nil {
		return Cart{}, err
	}
	c, err := s.backend.Cart(ctx, userID)
	return c, classify(err)
}

// AddToCart adds 1..MaxQuantity units of an item to the user's cart.
func (s *Service) AddToCart(ctx context.Context, userID, itemID int64, quantity int64) (Cart, error) {
	if err := checkLine(userID, itemID, quantity, 1); err != nil {
		return Cart{}, err
	}
	c, err := s.backend.AddToCart(ctx, userID, itemID, int32(quantity))
	return c, classify(err)
}

// SetQuantity sets a line of the user's cart to 0..MaxQuantity units; 0 removes it.
func (s *Service) SetQuantity(ctx context.Context, userID, itemID int64, quantity int64) (Cart, error) {
	if err := checkLine(userID, itemID, quantity, 0); err != nil {
		return Cart{}, err
	}
	c, err := s.backend.SetQuantity(ctx, userID, itemID, int32(quantity))
	return c, classify(err)
}

// RemoveFromCart removes a line of the user's cart, if present.
func (s *Service) RemoveFromCart(ctx context.Context, userID, itemID int64) (Cart, error) {
	if err := checkUser(userID); err != nil {
		return Cart{}, err
	}
	if itemID <= 0 {
		return Cart{}, Errorf(CodeInvalid, "item id must be a positive integer")
	}
	c, err := s.backend.RemoveFromCart(ctx, userID, itemID)
	return c, classify(err)
}

// Checkout orders the user's cart: every line's stock is deducted, or none.
func (s *Service) Checkout(ctx context.Context, userID int64) (Order, error) {
	if err := checkUser(userID); err != nil {
		return Order{}, err
	}
	o, err := s.backend.Checkout(ctx, userID)
	return o, classify(err)
}

// Ready probes the downstream services; the map holds one entry per service, nil when it answered.
func (s *Service) Ready(ctx context.Context) map[string]error {
	return s.backend.Probe(ctx)
}

// validate checks a listing query.
func (q ListQuery) validate() error {
	switch {
	case q.Page < 1 || q.Page > maxPage:
		return Errorf(CodeInvalid, "page must be 1..%d", maxPage)
	case q.PageSize < 1 || q.PageSize > MaxPageSize:
		return Errorf(CodeInvalid, "page_size must be 1..%d", MaxPageSize)
	case len(q.Query) > MaxQueryLen:
		return Errorf(CodeInvalid, "q must be at most %d bytes", MaxQueryLen)
	case !utf8.ValidString(q.Query):
		return Errorf(CodeInvalid, "q must be UTF-8 text")
	}
	return nil
}

func checkUser(userID int64) error {
	if userID <= 0 {
		return Errorf(CodeInvalid, "user id must be positive")
	}
	return nil
}

// checkLine validates a cart line's ids and a quantity of minQty..MaxQuantity.
func checkLine(userID, itemID, quantity int64, minQty int64) error {
	if err := checkUser(userID); err != nil {
		return err
	}
	if itemID <= 0 {
		return Errorf(CodeInvalid, "item_id must be a positive integer")
	}
	if quantity < minQty || quantity > MaxQuantity {
		return Errorf(CodeInvalid, "quantity must be %d..%d", minQty, MaxQuantity)
	}
	return nil
}

// classify returns err as an *Error: itself when it is one, otherwise wrapped as CodeDownstream.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return WrapError(CodeDownstream, "a downstream service failed", err)
}

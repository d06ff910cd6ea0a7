package carts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
)

// Service is the cart logic over a Store and the two downstream services.
type Service struct {
	store     *Store
	catalog   Catalog
	inventory Inventory
	log       *slog.Logger
	// releaseTimeout bounds a compensating release, which runs even when the caller's context ended.
	releaseTimeout time.Duration
}

// NewService returns the cart logic.
func NewService(store *Store, catalog Catalog, inventory Inventory, log *slog.Logger) *Service {
	return &Service{store: store, catalog: catalog, inventory: inventory, log: log, releaseTimeout: 3 * time.Second}
}

// Get returns a user's cart at current prices.
func (s *Service) Get(ctx context.Context, userID int64) (Cart, error) {
	if userID <= 0 {
		return Cart{}, invalidf("user id must be positive")
	}
	lines, err := s.store.Lines(ctx, userID)
	if err != nil {
		return Cart{}, err
	}
	priced, err := s.price(ctx, lines)
	if err != nil {
		return Cart{}, err
	}
	c := Cart{UserID: userID}
	for _, l := range priced {
		if l.ID == 0 { // an item that disappeared from the catalogue is not shown
			continue
		}
		c.Lines = append(c.Lines, l)
		c.TotalCents += l.PriceCents * int64(l.Quantity)
	}
	return c, nil
}

// price looks up the lines' items; the Item of an unknown id is left zero.
func (s *Service) price(ctx context.Context, lines []Line) ([]CartLine, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.ItemID
	}
	items, err := s.catalog.Items(ctx, ids)
	if err != nil {
		return nil, unavailable("item", err)
	}
	out := make([]CartLine, len(lines))
	for i, l := range lines {
		out[i] = CartLine{Item: items[l.ItemID], Quantity: l.Quantity}
	}
	return out, nil
}

// Add adds qty (1..MaxQuantity) of an item to a user's cart and returns the cart.
func (s *Service) Add(ctx context.Context, userID, itemID int64, qty int32) (Cart, error) {
	if err := s.checkLine(ctx, userID, itemID, qty, 1); err != nil {
		return Cart{}, err
	}
	if err := s.checkRoom(ctx, userID, itemID); err != nil {
		return Cart{}, err
	}
	ok, err := s.store.Add(ctx, userID, itemID, qty)
	if err != nil {
		return Cart{}, err
	}
	if !ok {
		return Cart{}, invalidf("a line holds at most %d units", MaxQuantity)
	}
	return s.Get(ctx, userID)
}

// SetQuantity sets a line's quantity (0..MaxQuantity; 0 removes it) and returns the cart.
func (s *Service) SetQuantity(ctx context.Context, userID, itemID int64, qty int32) (Cart, error) {
	if qty == 0 {
		return s.Remove(ctx, userID, itemID)
	}
	if err := s.checkLine(ctx, userID, itemID, qty, 0); err != nil {
		return Cart{}, err
	}
	if err := s.checkRoom(ctx, userID, itemID); err != nil {
		return Cart{}, err
	}
	if err := s.store.Set(ctx, userID, itemID, qty); err != nil {
		return Cart{}, err
	}
	return s.Get(ctx, userID)
}

// checkLine validates ids and a quantity (minQty..MaxQuantity) and that the item exists.
func (s *Service) checkLine(ctx context.Context, userID, itemID int64, qty, minQty int32) error {
	switch {
	case userID <= 0 || itemID <= 0:
		return invalidf("user id and item id must be positive")
	case qty < minQty || qty > MaxQuantity:
		return invalidf("quantity must be %d..%d", minQty, MaxQuantity)
	}
	items, err := s.catalog.Items(ctx, []int64{itemID})
	if err != nil {
		return unavailable("item", err)
	}
	if _, ok := items[itemID]; !ok {
		return &NotFoundError{ItemID: itemID}
	}
	return nil
}

// checkRoom refuses a new line in a full cart.
func (s *Service) checkRoom(ctx context.Context, userID, itemID int64) error {
	lines, err := s.store.Lines(ctx, userID)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if l.ItemID == itemID {
			return nil
		}
	}
	if len(lines) >= MaxLines {
		return invalidf("a cart holds at most %d lines", MaxLines)
	}
	return nil
}

// Remove deletes a line, if present, and returns the cart.
func (s *Service) Remove(ctx context.Context, userID, itemID int64) (Cart, error) {
	if userID <= 0 || itemID <= 0 {
		return Cart{}, invalidf("user id and item id must be positive")
	}
	if err := s.store.Remove(ctx, userID, itemID); err != nil {
		return Cart{}, err
	}
	return s.Get(ctx, userID)
}

// Clear empties a user's cart.
func (s *Service) Clear(ctx context.Context, userID int64) (Cart, error) {
	if userID <= 0 {
		return Cart{}, invalidf("user id must be positive")
	}
	if err := s.store.Clear(ctx, userID); err != nil {
		return Cart{}, err
	}
	return Cart{UserID: userID}, nil
}

// unavailable reports a failed call to a downstream service, keeping its error as the cause.
func unavailable(service string, err error) error {
	return rpcerr.Wrap(rpcerr.CodeUnavailable, fmt.Errorf("%s service: %w", service, err))
}

// newOrderID returns a random order id.
func newOrderID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "o-" + hex.EncodeToString(b)
}

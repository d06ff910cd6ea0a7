package carts

import "context"

// Checkout turns a user's cart into an order: it prices the lines with the item service (every item
// must exist), deducts their stock with the stock service in one all-or-nothing deduction, then takes
// the checked-out quantities out of the cart and returns the order. When stock is short nothing is
// deducted and the cart is kept (OutOfStockError). When the deduction's outcome is unknown (the stock
// service failed or timed out) or the cart changed meanwhile, the order is released, so no units stay
// taken for an order that did not happen.
func (s *Service) Checkout(ctx context.Context, userID int64) (Order, error) {
	if userID <= 0 {
		return Order{}, invalidf("user id must be positive")
	}
	lines, err := s.store.Lines(ctx, userID)
	if err != nil {
		return Order{}, err
	}
	if len(lines) == 0 {
		return Order{}, ErrEmptyCart
	}
	order, err := s.newOrder(ctx, userID, lines)
	if err != nil {
		return Order{}, err
	}
	if err := s.deduct(ctx, order.ID, lines); err != nil {
		return Order{}, err
	}
	ok, err := s.store.Consume(ctx, userID, lines)
	if err != nil || !ok {
		s.release(ctx, order.ID)
		if err == nil {
			err = ErrCartChanged
		}
		return Order{}, err
	}
	return order, nil
}

// newOrder prices the lines into an order with a fresh id; every item must exist.
func (s *Service) newOrder(ctx context.Context, userID int64, lines []Line) (Order, error) {
	priced, err := s.price(ctx, lines)
	if err != nil {
		return Order{}, err
	}
	order := Order{ID: newOrderID(), UserID: userID, Lines: priced}
	for i, l := range priced {
		if l.ID == 0 {
			return Order{}, &NotFoundError{ItemID: lines[i].ItemID}
		}
		order.TotalCents += l.PriceCents * int64(l.Quantity)
	}
	return order, nil
}

// deduct takes the order's stock; on an unknown outcome it releases the order before failing.
func (s *Service) deduct(ctx context.Context, orderID string, lines []Line) error {
	res, err := s.inventory.Deduct(ctx, orderID, lines)
	if err != nil {
		s.release(ctx, orderID)
		return unavailable("stock", err)
	}
	if !res.OK {
		return &OutOfStockError{Shortages: res.Shortages}
	}
	return nil
}

// release gives an order's stock back, with a deadline of its own: it must run even when the caller's
// context has ended. A failure is logged; the order is then left deducted for an operator to release.
func (s *Service) release(ctx context.Context, orderID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.releaseTimeout)
	defer cancel()
	if err := s.inventory.Release(ctx, orderID); err != nil {
		s.log.ErrorContext(ctx, "checkout: releasing stock failed", "order", orderID, "err", err)
	}
}

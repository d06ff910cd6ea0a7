package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/go-sql-driver/mysql"
	"github.com/ternhq/tern/framework/rpcerr"
	"gorm.io/gorm"
)

// transaction runs fn in a transaction, again when the database aborted it for a deadlock or a lock wait
// timeout (MySQL errors 1213 and 1205). errShortage rolls back and is not an error to the caller.
func (s *Store) transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var err error
	for range s.attempts {
		err = s.db.WithContext(ctx).Transaction(fn)
		if errors.Is(err, errShortage) {
			return nil
		}
		if !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return fmt.Errorf("gave up after %d attempts: %w", s.attempts, err)
}

// retryable reports whether err aborted a transaction that may succeed when run again.
func retryable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// validateOrder checks a deduction request.
func validateOrder(orderID string, lines []Line) error {
	switch {
	case orderID == "" || len(orderID) > MaxOrderIDLen:
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "order id must be 1..%d bytes", MaxOrderIDLen)
	case len(lines) == 0 || len(lines) > MaxLines:
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "an order needs 1..%d lines", MaxLines)
	}
	seen := make([]int64, 0, len(lines))
	for _, l := range lines {
		if l.ItemID <= 0 || l.Quantity <= 0 {
			return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "line of item %d: item id and quantity must be positive", l.ItemID)
		}
		if slices.Contains(seen, l.ItemID) {
			return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "item %d appears twice", l.ItemID)
		}
		seen = append(seen, l.ItemID)
	}
	return nil
}

package inventory

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Limits on requests.
const (
	MaxOrderIDLen = 64
	MaxLines      = 100
	MaxIDs        = 100
)

// Store keeps stock levels and orders in a gorm database (MySQL/MariaDB or SQLite).
type Store struct {
	db *gorm.DB
	// attempts is how many times a transaction the database aborted (deadlock, lock timeout) is tried.
	attempts int
}

// New returns a Store on db; call Migrate once before use.
func New(db *gorm.DB) *Store { return &Store{db: db, attempts: 5} }

// Migrate creates or updates the tables.
func (s *Store) Migrate(ctx context.Context) error {
	return s.db.WithContext(ctx).AutoMigrate(&Level{}, &order{}, &orderLine{})
}

// Get returns the levels of ids, in order; unknown items have Available 0.
func (s *Store) Get(ctx context.Context, ids []int64) ([]Level, error) {
	if len(ids) > MaxIDs {
		return nil, rpcerr.Errorf(rpcerr.CodeInvalidArgument, "at most %d item ids", MaxIDs)
	}
	var found []Level
	if err := s.db.WithContext(ctx).Where("item_id IN ?", ids).Find(&found).Error; err != nil {
		return nil, err
	}
	byID := make(map[int64]Level, len(found))
	for _, l := range found {
		byID[l.ItemID] = l
	}
	out := make([]Level, len(ids))
	for i, id := range ids {
		out[i] = Level{ItemID: id, Available: byID[id].Available, UpdatedAt: byID[id].UpdatedAt}
	}
	return out, nil
}

// Set sets an item's available quantity.
func (s *Store) Set(ctx context.Context, itemID, available int64) (Level, error) {
	if itemID <= 0 || available < 0 {
		return Level{}, rpcerr.New(rpcerr.CodeInvalidArgument, "item id must be positive and available not negative")
	}
	l := Level{ItemID: itemID, Available: available, UpdatedAt: time.Now()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "item_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"available", "updated_at"}),
	}).Create(&l).Error
	return l, err
}

// SeedIfEmpty sets every item of ids to available when no level exists yet (the demo catalogue on a
// first start); it reports whether it did.
func (s *Store) SeedIfEmpty(ctx context.Context, ids []int64, available int64) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Level{}).Count(&n).Error; err != nil || n > 0 {
		return false, err
	}
	for _, id := range ids {
		if _, err := s.Set(ctx, id, available); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Deduct takes the units of every line of an order, all or none, in one transaction (see DeductResult).
func (s *Store) Deduct(ctx context.Context, orderID string, lines []Line) (DeductResult, error) {
	if err := validateOrder(orderID, lines); err != nil {
		return DeductResult{}, err
	}
	lines = slices.Clone(lines)
	// Lock rows in one order everywhere, so that two orders never wait for each other.
	slices.SortFunc(lines, func(a, b Line) int { return cmp.Compare(a.ItemID, b.ItemID) })
	var res DeductResult
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var err error
		res, err = deductTx(tx, orderID, lines)
		return err
	})
	return res, err
}

// errShortage rolls a deduction back.
var errShortage = errors.New("not enough stock")

// deductTx is one attempt at Deduct inside tx.
func deductTx(tx *gorm.DB, orderID string, lines []Line) (DeductResult, error) {
	created, status, err := claimOrder(tx, orderID, StatusDeducted)
	if err != nil {
		return DeductResult{}, err
	}
	if !created {
		if status == StatusReleased {
			return DeductResult{Released: true}, nil
		}
		return DeductResult{OK: true, Duplicate: true}, nil
	}
	var shortages []Shortage
	for _, l := range lines {
		upd := tx.Model(&Level{}).Where("item_id = ? AND available >= ?", l.ItemID, l.Quantity).
			Updates(map[string]any{"available": gorm.Expr("available - ?", l.Quantity), "updated_at": time.Now()})
		if upd.Error != nil {
			return DeductResult{}, upd.Error
		}
		if upd.RowsAffected == 0 {
			sh, err := shortage(tx, l)
			if err != nil {
				return DeductResult{}, err
			}
			shortages = append(shortages, sh)
		}
	}
	if len(shortages) > 0 {
		return DeductResult{Shortages: shortages}, errShortage
	}
	rows := make([]orderLine, len(lines))
	for i, l := range lines {
		rows[i] = orderLine{OrderID: orderID, ItemID: l.ItemID, Quantity: l.Quantity}
	}
	return DeductResult{OK: true}, tx.Create(&rows).Error
}

// shortage reports how much of l's item is available.
func shortage(tx *gorm.DB, l Line) (Shortage, error) {
	var lvl Level
	err := tx.Where("item_id = ?", l.ItemID).Limit(1).Find(&lvl).Error
	return Shortage{ItemID: l.ItemID, Requested: l.Quantity, Available: lvl.Available}, err
}

// claimOrder inserts the order with status unless the id exists; it returns whether it inserted, and
// otherwise the existing status.
func claimOrder(tx *gorm.DB, orderID, status string) (bool, string, error) {
	ins := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&order{OrderID: orderID, Status: status})
	if ins.Error != nil {
		return false, "", ins.Error
	}
	if ins.RowsAffected == 1 {
		return true, status, nil
	}
	var o order
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("order_id = ?", orderID).Take(&o).Error
	return false, o.Status, err
}

// Release gives back everything orderID deducted, once; it reports whether this call gave units back.
// Releasing an unknown order records it as released, so a deduction arriving later does nothing.
func (s *Store) Release(ctx context.Context, orderID string) (bool, error) {
	if orderID == "" || len(orderID) > MaxOrderIDLen {
		return false, rpcerr.Errorf(rpcerr.CodeInvalidArgument, "order id must be 1..%d bytes", MaxOrderIDLen)
	}
	var released bool
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var err error
		released, err = releaseTx(tx, orderID)
		return err
	})
	return released, err
}

// releaseTx is one attempt at Release inside tx.
func releaseTx(tx *gorm.DB, orderID string) (bool, error) {
	created, _, err := claimOrder(tx, orderID, StatusReleased)
	if err != nil || created {
		return false, err
	}
	upd := tx.Model(&order{}).Where("order_id = ? AND status = ?", orderID, StatusDeducted).
		Updates(map[string]any{"status": StatusReleased, "updated_at": time.Now()})
	if upd.Error != nil || upd.RowsAffected == 0 {
		return false, upd.Error
	}
	var lines []orderLine
	if err := tx.Where("order_id = ?", orderID).Order("item_id").Find(&lines).Error; err != nil {
		return false, err
	}
	for _, l := range lines {
		err := tx.Model(&Level{}).Where("item_id = ?", l.ItemID).
			Updates(map[string]any{"available": gorm.Expr("available + ?", l.Quantity), "updated_at": time.Now()}).Error
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

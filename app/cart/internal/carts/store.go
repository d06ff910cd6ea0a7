package carts

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// line is one row of a cart.
type line struct {
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	ItemID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Quantity  int32 `gorm:"not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName names line's table for gorm.
func (line) TableName() string { return "cart_lines" }

// errChanged rolls back a consume whose lines changed since they were read.
var errChanged = errors.New("the cart changed during checkout")

// Store keeps cart lines in a gorm database (MySQL/MariaDB or SQLite). Every change is a single
// conditional statement or one transaction, so concurrent requests of one user cannot break the
// quantity limit.
type Store struct{ db *gorm.DB }

// NewStore returns a Store on db; call Migrate once before use.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Migrate creates or updates the table.
func (s *Store) Migrate(ctx context.Context) error {
	return s.db.WithContext(ctx).AutoMigrate(&line{})
}

// Lines returns a user's lines, oldest first.
func (s *Store) Lines(ctx context.Context, userID int64) ([]Line, error) {
	var rows []line
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("created_at, item_id").Find(&rows).Error
	out := make([]Line, len(rows))
	for i, r := range rows {
		out[i] = Line{ItemID: r.ItemID, Quantity: r.Quantity}
	}
	return out, err
}

// count returns how many lines a user has.
func (s *Store) count(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&line{}).Where("user_id = ?", userID).Count(&n).Error
	return n, err
}

// Add adds qty to a line, creating it if needed; it reports false when the sum would exceed
// MaxQuantity, and then changes nothing.
func (s *Store) Add(ctx context.Context, userID, itemID int64, qty int32) (bool, error) {
	db := s.db.WithContext(ctx)
	for range 3 {
		upd := db.Model(&line{}).Where("user_id = ? AND item_id = ? AND quantity <= ?", userID, itemID, MaxQuantity-qty).
			Updates(map[string]any{"quantity": gorm.Expr("quantity + ?", qty), "updated_at": time.Now()})
		if upd.Error != nil || upd.RowsAffected == 1 {
			return upd.Error == nil, upd.Error
		}
		ins := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&line{UserID: userID, ItemID: itemID, Quantity: qty})
		if ins.Error != nil || ins.RowsAffected == 1 {
			return ins.Error == nil, ins.Error
		}
		// The line exists: either it is too full, or another request created it meanwhile; look again.
	}
	return false, nil
}

// Set sets a line's quantity, creating it if needed; 0 removes it.
func (s *Store) Set(ctx context.Context, userID, itemID int64, qty int32) error {
	if qty == 0 {
		return s.Remove(ctx, userID, itemID)
	}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "item_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"quantity", "updated_at"}),
	}).Create(&line{UserID: userID, ItemID: itemID, Quantity: qty}).Error
}

// Remove deletes a line; a missing line is not an error.
func (s *Store) Remove(ctx context.Context, userID, itemID int64) error {
	return s.db.WithContext(ctx).Where("user_id = ? AND item_id = ?", userID, itemID).Delete(&line{}).Error
}

// Clear deletes every line of a user.
func (s *Store) Clear(ctx context.Context, userID int64) error {
	return s.db.WithContext(ctx).Where("user_id = ?", userID).Delete(&line{}).Error
}

// Consume takes the checked-out quantities off a user's lines in one transaction, deleting the lines
// left empty; units added meanwhile stay in the cart. If a line no longer holds its checked-out
// quantity (it was lowered, removed, or another checkout took it), nothing changes and it reports
// false.
func (s *Store) Consume(ctx context.Context, userID int64, lines []Line) (bool, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, l := range lines {
			upd := tx.Model(&line{}).Where("user_id = ? AND item_id = ? AND quantity >= ?", userID, l.ItemID, l.Quantity).
				Updates(map[string]any{"quantity": gorm.Expr("quantity - ?", l.Quantity), "updated_at": time.Now()})
			if upd.Error != nil {
				return upd.Error
			}
			if upd.RowsAffected == 0 {
				return errChanged
			}
		}
		return tx.Where("user_id = ? AND quantity <= 0", userID).Delete(&line{}).Error
	})
	if errors.Is(err, errChanged) {
		return false, nil
	}
	return err == nil, err
}

// Package inventory keeps the stock levels of items and the orders that took units from them. Deducting
// for an order is one transaction over all its lines, idempotent by order id, and never takes a level
// below zero: each line is a conditional update (available >= quantity), so concurrent orders cannot
// oversell whatever the database's isolation level. Releasing an order gives its units back once, and
// leaves a mark that stops a late deduction of the same order.
package inventory

import "time"

// Level is the available quantity of one item.
type Level struct {
	ItemID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Available int64 `gorm:"not null"`
	UpdatedAt time.Time
}

// TableName names Level's table.
func (Level) TableName() string { return "stock_levels" }

// Order states.
const (
	StatusDeducted = "deducted"
	StatusReleased = "released"
)

// order records what happened to an order id: deducted, or released (possibly before any deduction).
type order struct {
	OrderID   string `gorm:"primaryKey;size:64"`
	Status    string `gorm:"size:16;not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName names order's table for gorm.
func (order) TableName() string { return "stock_orders" }

// orderLine is a quantity an order took from an item.
type orderLine struct {
	OrderID  string `gorm:"primaryKey;size:64"`
	ItemID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Quantity int64  `gorm:"not null"`
}

// TableName names orderLine's table for gorm.
func (orderLine) TableName() string { return "stock_order_lines" }

// Line is a quantity of one item within an order.
type Line struct {
	ItemID   int64
	Quantity int64
}

// Shortage is a line that lacked stock.
type Shortage struct {
	ItemID    int64
	Requested int64
	Available int64
}

// DeductResult is the outcome of Deduct. OK means the order's units are taken (by this call, or by an
// earlier one when Duplicate); otherwise nothing was deducted: Released says the order was released
// before, or Shortages lists the lines lacking stock.
type DeductResult struct {
	OK        bool
	Duplicate bool
	Released  bool
	Shortages []Shortage
}

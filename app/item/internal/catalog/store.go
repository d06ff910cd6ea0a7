// Package catalog is the item service's logic: the catalogue stored with gorm (MySQL/MariaDB or
// SQLite), a Redis cache-aside in front of single-item reads that every write invalidates, and the demo
// catalogue seeded on a first start.
package catalog

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ternhq/tern/framework/rpcerr"
	"gorm.io/gorm"
)

// Limits on requests.
const (
	MaxTitleLen       = 200
	MaxDescriptionLen = 2000
	MaxPageSize       = 100
	DefaultPageSize   = 20
	MaxBatch          = 100
)

// Item is one product of the catalogue; prices are integer cents.
type Item struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	Title       string    `gorm:"size:200;not null;index" json:"title"`
	Description string    `gorm:"size:2000;not null" json:"description"`
	PriceCents  int64     `gorm:"not null" json:"price_cents"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TableName names Item's table.
func (Item) TableName() string { return "items" }

// Patch holds the fields an update changes; nil fields are kept.
type Patch struct {
	Title       *string
	Description *string
	PriceCents  *int64
}

// Page is one page of a listing.
type Page struct {
	Items    []Item
	Page     int
	PageSize int
	Total    int64
}

// Store keeps the catalogue in a gorm database.
type Store struct{ db *gorm.DB }

// NewStore returns a Store on db; call Migrate once before use.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Migrate creates or updates the table.
func (s *Store) Migrate(ctx context.Context) error {
	return s.db.WithContext(ctx).AutoMigrate(&Item{})
}

// Create adds an item and returns it with its id.
func (s *Store) Create(ctx context.Context, it Item) (Item, error) {
	if err := validate(it); err != nil {
		return Item{}, err
	}
	it.ID = 0
	err := s.db.WithContext(ctx).Create(&it).Error
	return it, err
}

// Update applies p to item id in one transaction and returns the result.
func (s *Store) Update(ctx context.Context, id int64, p Patch) (Item, error) {
	var it Item
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&it, id).Error; err != nil {
			return notFound(err, id)
		}
		p.apply(&it)
		if err := validate(it); err != nil {
			return err
		}
		return tx.Save(&it).Error
	})
	return it, err
}

func (p Patch) apply(it *Item) {
	if p.Title != nil {
		it.Title = *p.Title
	}
	if p.Description != nil {
		it.Description = *p.Description
	}
	if p.PriceCents != nil {
		it.PriceCents = *p.PriceCents
	}
}

// Get returns item id, or an rpcerr NotFound error.
func (s *Store) Get(ctx context.Context, id int64) (Item, error) {
	var it Item
	if err := s.db.WithContext(ctx).Take(&it, id).Error; err != nil {
		return Item{}, notFound(err, id)
	}
	return it, nil
}

// BatchGet returns the items of ids that exist, in the order of ids.
func (s *Store) BatchGet(ctx context.Context, ids []int64) ([]Item, error) {
	if len(ids) > MaxBatch {
		return nil, rpcerr.Errorf(rpcerr.CodeInvalidArgument, "at most %d ids", MaxBatch)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var found []Item
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&found).Error; err != nil {
		return nil, err
	}
	byID := make(map[int64]Item, len(found))
	for _, it := range found {
		byID[it.ID] = it
	}
	out := make([]Item, 0, len(found))
	for _, id := range ids {
		if it, ok := byID[id]; ok {
			out = append(out, it)
			delete(byID, id)
		}
	}
	return out, nil
}

// List returns one page of the catalogue by id, only the items whose title contains query
// (case-insensitive) when query is not empty. page is 1-based (0 means 1); pageSize 0 means
// DefaultPageSize, and more than MaxPageSize is an error.
func (s *Store) List(ctx context.Context, page, pageSize int, query string) (Page, error) {
	page, pageSize, err := pageBounds(page, pageSize)
	if err != nil {
		return Page{}, err
	}
	q := s.db.WithContext(ctx).Model(&Item{})
	if query = strings.TrimSpace(query); query != "" {
		q = q.Where("LOWER(title) LIKE ? ESCAPE '!'", "%"+escapeLike(strings.ToLower(query))+"%")
	}
	res := Page{Page: page, PageSize: pageSize}
	if err := q.Count(&res.Total).Error; err != nil {
		return Page{}, err
	}
	err = q.Order("id").Offset((page - 1) * pageSize).Limit(pageSize).Find(&res.Items).Error
	return res, err
}

// pageBounds applies List's defaults and limits.
func pageBounds(page, pageSize int) (int, int, error) {
	switch {
	case page < 0 || pageSize < 0:
		return 0, 0, rpcerr.New(rpcerr.CodeInvalidArgument, "page and page size must not be negative")
	case pageSize > MaxPageSize:
		return 0, 0, rpcerr.Errorf(rpcerr.CodeInvalidArgument, "page size at most %d", MaxPageSize)
	case page > 1_000_000:
		return 0, 0, rpcerr.New(rpcerr.CodeInvalidArgument, "page out of range")
	}
	return max(page, 1), cmpOr(pageSize, DefaultPageSize), nil
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// escapeLike escapes LIKE's wildcards with '!'.
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// validate checks an item's fields.
func validate(it Item) error {
	switch {
	case strings.TrimSpace(it.Title) == "" || utf8.RuneCountInString(it.Title) > MaxTitleLen:
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "title must be 1..%d characters", MaxTitleLen)
	case utf8.RuneCountInString(it.Description) > MaxDescriptionLen:
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "description at most %d characters", MaxDescriptionLen)
	case it.PriceCents < 0:
		return rpcerr.New(rpcerr.CodeInvalidArgument, "price must not be negative")
	case !utf8.ValidString(it.Title) || !utf8.ValidString(it.Description):
		return rpcerr.New(rpcerr.CodeInvalidArgument, "title and description must be UTF-8")
	}
	return nil
}

// notFound turns gorm's not-found error into an rpcerr NotFound error.
func notFound(err error, id int64) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return rpcerr.Errorf(rpcerr.CodeNotFound, "item %d not found", id)
	}
	return err
}

package shop

import "context"

// Limits of the API's inputs.
const (
	// MaxQuantity is the largest quantity of one cart line.
	MaxQuantity = 999
	// DefaultPageSize is the page size of a listing that does not ask for one.
	DefaultPageSize = 20
	// MaxPageSize is the largest page size of a listing.
	MaxPageSize = 100
	// MaxQueryLen is the longest title search, in bytes.
	MaxQueryLen = 200
	// maxPage bounds the page number, so that page*page_size never overflows downstream.
	maxPage = 1_000_000
)

// Item is a product of the catalogue with its available stock.
type Item struct {
	ID          int64
	Title       string
	Description string
	PriceCents  int64
	// Stock is the number of units available.
	Stock int64
}

// ItemPage is one page of a listing.
type ItemPage struct {
	Items []Item
	// Total is the number of items matching the query across all pages.
	Total int64
}

// ListQuery selects a page of the catalogue.
type ListQuery struct {
	// Page is 1-based.
	Page int32
	// PageSize is 1..MaxPageSize.
	PageSize int32
	// Query, when not empty, keeps the items whose title contains it (case-insensitive).
	Query string
}

// Line is one line of a cart or an order.
type Line struct {
	ItemID     int64
	Title      string
	PriceCents int64
	Quantity   int32
}

// Cart is a user's cart at current prices.
type Cart struct {
	Lines      []Line
	TotalCents int64
}

// Order is the result of a checkout.
type Order struct {
	ID         string
	Lines      []Line
	TotalCents int64
}

// Shortage is a line checkout could not serve.
type Shortage struct {
	ItemID    int64
	Requested int64
	Available int64
}

// Backend is the shop's view of the three downstream services. Implementations return *Error values
// for the failures the API distinguishes (CodeNotFound, CodeInvalid, CodeEmptyCart, CodeOutOfStock,
// CodeConflict, CodeUnavailable); any other error is reported as CodeDownstream.
type Backend interface {
	// ListItems returns a page of the catalogue (item service), without stock.
	ListItems(ctx context.Context, q ListQuery) (items []Item, total int64, err error)
	// GetItem returns one item (item service), without stock; CodeNotFound when unknown.
	GetItem(ctx context.Context, id int64) (Item, error)
	// StockLevels returns the available units of each id (stock service); unknown ids have 0.
	StockLevels(ctx context.Context, ids []int64) (map[int64]int64, error)

	// Cart returns the user's cart (cart service).
	Cart(ctx context.Context, userID int64) (Cart, error)
	// AddToCart adds quantity units of an item to the user's cart.
	AddToCart(ctx context.Context, userID, itemID int64, quantity int32) (Cart, error)
	// SetQuantity sets a line's quantity; 0 removes the line.
	SetQuantity(ctx context.Context, userID, itemID int64, quantity int32) (Cart, error)
	// RemoveFromCart removes a line, if present.
	RemoveFromCart(ctx context.Context, userID, itemID int64) (Cart, error)
	// Checkout orders the user's cart: all lines or none.
	Checkout(ctx context.Context, userID int64) (Order, error)

	// Probe calls each downstream service once and reports, by service name, whether it answered (nil)
	// or not.
	Probe(ctx context.Context) map[string]error
}

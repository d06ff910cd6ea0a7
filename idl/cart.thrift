// The cart service: one cart per user, and checkout, which turns a cart into an order. Prices are integer
// cents, taken from the item service when a cart is read; quantities are 1..999 per line.
namespace go cart

// CartItem is one line of a cart or an order.
struct CartItem {
    1: i64 item_id
    2: string title
    3: i64 price_cents
    4: i32 quantity
}

// UserCart is a user's cart with its current total.
struct UserCart {
    1: i64 user_id
    2: list<CartItem> items
    3: i64 total_cents
}

// OrderSummary is what a successful checkout returns.
struct OrderSummary {
    1: string order_id
    2: i64 user_id
    3: list<CartItem> items
    4: i64 total_cents
}

// Shortage is a line checkout could not serve.
struct Shortage {
    1: i64 item_id
    2: i64 requested
    3: i64 available
}

// InvalidRequest: a field is out of range (user id, item id, quantity); nothing changed.
exception InvalidRequest {
    1: string message
}

// ItemNotFound: the item does not exist; nothing changed.
exception ItemNotFound {
    1: i64 item_id
}

// EmptyCart: checkout of a cart with no lines.
exception EmptyCart {
    1: i64 user_id
}

// OutOfStock: checkout needs more than is available; nothing was deducted and the cart is kept.
exception OutOfStock {
    1: list<Shortage> shortages
}

struct AddItemReq {
    1: i64 user_id
    2: i64 item_id
    // quantity is added to the line's quantity (a new line if there is none); the sum must stay <= 999.
    3: i32 quantity
}

struct SetQuantityReq {
    1: i64 user_id
    2: i64 item_id
    // quantity replaces the line's quantity; 0 removes the line.
    3: i32 quantity
}

struct RemoveItemReq {
    1: i64 user_id
    2: i64 item_id
}

struct GetCartReq {
    1: i64 user_id
}

struct ClearCartReq {
    1: i64 user_id
}

struct CheckoutReq {
    1: i64 user_id
}

service Cart {
    // AddItem adds quantity of an item to the user's cart and returns the cart.
    UserCart AddItem(1: AddItemReq req) throws (1: InvalidRequest invalid, 2: ItemNotFound not_found)
    // SetQuantity sets a line's quantity (0 removes it) and returns the cart.
    UserCart SetQuantity(1: SetQuantityReq req) throws (1: InvalidRequest invalid, 2: ItemNotFound not_found)
    // RemoveItem removes a line, if present, and returns the cart.
    UserCart RemoveItem(1: RemoveItemReq req) throws (1: InvalidRequest invalid)
    // GetCart returns the user's cart with current titles and prices.
    UserCart GetCart(1: GetCartReq req) throws (1: InvalidRequest invalid) (tern.idempotent = "true")
    // ClearCart removes every line and returns the empty cart.
    UserCart ClearCart(1: ClearCartReq req) throws (1: InvalidRequest invalid) (tern.idempotent = "true")
    // Checkout validates the lines with the item service, deducts their stock (all or nothing),
    // clears the cart and returns the order. Unavailable dependencies fail with rpcerr code Unavailable
    // and leave stock and cart as they were.
    OrderSummary Checkout(1: CheckoutReq req) throws (1: InvalidRequest invalid, 2: ItemNotFound not_found, 3: EmptyCart empty, 4: OutOfStock out_of_stock)
}

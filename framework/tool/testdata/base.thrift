// Definitions that everything.thrift includes: an enum, a struct, an exception, a typedef, constants
// and a service that a service of the including file extends.
namespace go base

// Status is an enum used across the include.
enum Status {
    UNKNOWN = 0,
    ACTIVE = 1,
    DISABLED = 5,
}

struct Money {
    1: required i64 units
    2: string currency = "EUR"
}

exception NotFound {
    1: string what
    2: optional i32 code = 404
}

typedef string ID

const i32 MAX_ITEMS = 100
const Status DEFAULT_STATUS = Status.ACTIVE

// BaseService is extended by everything.Store, across the include.
service BaseService {
    string Ping(1: string msg)
    oneway void Fire(1: ID id)
}

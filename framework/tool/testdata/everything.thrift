// Every IDL construct the generator supports: the golden test renders it, and tool/internal/testgen
// holds its generated code for the round-trip tests and benchmarks.
include "base.thrift"

namespace go everything

typedef i32 Count
typedef list<base.Money> Wallet
typedef base.Money Cash
typedef map<string, Count> Tally
typedef base.ID ItemID
typedef Cash Coins

enum Color {
    RED = 1,
    GREEN = 2,
    // Blue is the default of Defaults.color.
    BLUE = 4,
}

enum Level {
    LOW,
    MID,
    HIGH = -1,
}

const bool FLAG = true
const byte SMALL = -8
const i16 MEDIUM = 1024
const i64 BIG = 9007199254740993
const double PI = 3.14159
const double WHOLE = 2
const string GREETING = "hello \"world\"\n\tñ"
const binary MAGIC = "tern"
const list<string> NAMES = ["a", "b"]
const set<i32> PRIMES = [2, 3, 5]
const map<string, list<i32>> GROUPS = {"odd": [1, 3], "even": [2]}
const Color FAVORITE = Color.GREEN
const i32 GREEN_VALUE = Color.GREEN
const base.Money PRICE = {"units": 42, "currency": "USD"}
const Point ORIGIN = {"x": 0, "y": 0, "label": "origin"}
const i32 LIMIT = base.MAX_ITEMS
const list<Point> CORNERS = [{"x": 1, "y": 1}, {"x": -1, "y": -1}]
const map<Color, string> COLOR_NAMES = {Color.RED: "red", 2: "green"}
const base.Status START = base.Status.ACTIVE
const Count FIVE = 5

struct Point {
    1: i32 x
    2: i32 y
    3: optional string label
}

// Everything has a field of every type.
struct Everything {
    1: bool a_bool
    2: byte a_byte
    3: i16 an_i16
    4: i32 an_i32
    5: i64 an_i64
    6: double a_double
    7: string a_string
    8: binary a_binary
    9: Color a_color
    10: Point a_point
    11: list<i32> ints
    12: set<string> tags
    13: map<string, i64> scores
    14: list<map<string, list<set<i32>>>> deep
    15: map<Point, string> by_point
    16: map<Color, list<Point>> by_color
    17: list<binary> blobs
    18: map<binary, binary> blob_map
    19: Wallet wallet
    20: Cash cash
    21: Tally tally
    22: base.Status status
    23: list<base.Status> statuses
    24: Choice choice
    25: list<list<list<double>>> cube
    26: set<Color> colors
    27: map<i64, map<i16, bool>> nested_maps
    28: ItemID item_id
    29: list<Choice> choices
    30: map<string, Everything> children
}

// Defaults has default values of every kind, and optional fields with and without them.
struct Defaults {
    1: i32 count = 7
    2: string name = "tern"
    3: optional i64 big = BIG
    4: optional double ratio = 0.5
    5: bool enabled = true
    6: Color color = Color.BLUE
    7: optional Color opt_color
    8: list<string> names = NAMES
    9: map<string, i32> weights = {"x": 1}
    10: Point where = {"x": 1, "y": 2, "label": "here"}
    11: optional base.Status status = base.Status.DISABLED
    12: binary raw = "raw"
    13: optional string note
    14: optional i32 opt_int
    15: optional bool opt_bool
    16: optional list<i32> opt_list
    17: optional binary opt_blob
    18: optional Point opt_point
    19: Count counted = 3
    20: i32 limit = LIMIT
    21: optional Level level = Level.MID
    22: double whole = 1
    23: Cash cash = PRICE
}

struct Required {
    1: required string name
    2: required i32 id
    3: required Point point
    4: optional string extra
    5: required list<i32> items
}

// Narrow has two of the fields of Everything, with the same ids: decoding an Everything into it skips
// the others.
struct Narrow {
    4: i32 an_i32
    7: string a_string
}

union Choice {
    1: i32 number
    2: string text
    3: Point point
    4: list<string> words
}

exception Failure {
    1: string message
    2: i32 code
    3: optional Point where
}

struct Tagged {
    1: string name (go.tag = 'db:"name"')
    2: string hidden (go.tag = 'json:"-"')
    3: optional i32 score (go.tag = "xml:\"score\" json:\"points,omitempty\"")
}

// Tree is recursive.
struct Tree {
    1: string value
    2: list<Tree> children
    3: optional Tree first
}

// Names has field names that collide with generated methods.
struct Names {
    1: string get_name
    2: string name
    3: string String
    4: i32 is_set_x
    5: optional i32 x
}

struct Empty {}

// LineItem and Order make the mid-size struct of the benchmarks.
struct LineItem {
    1: string sku
    2: i32 quantity
    3: base.Money price
    4: double weight
}

struct Order {
    1: i64 id
    2: string customer
    3: Point ship_to
    4: list<LineItem> items
    5: map<string, string> attributes
    6: binary signature
    7: optional string note
    8: Color color
}

// Store extends a service of the included file.
service Store extends base.BaseService {
    Everything Echo(1: Everything e) throws (1: Failure fail, 2: base.NotFound missing)
    void Put(1: i64 key, 2: list<Point> points, 3: map<string, Color> colors) throws (1: Failure fail)
    oneway void Notify(1: string event)
    i64 Count() (tern.idempotent = "true")
    list<Point> Points(1: Choice choice, 2: Defaults defaults)
    map<string, base.Money> Prices(1: set<ItemID> ids)
    Color Pick(1: Color a, 2: Level level)
    binary Raw(1: binary data)
    Coins Pay(1: Wallet wallet)
    base.Status Check(1: base.ID id) throws (1: base.NotFound missing)
    string Keywords(1: string type, 2: string ctx, 3: i32 err, 4: string everything)
}

// Admin extends a service of the same file.
service Admin extends Store {
    void Reset(1: bool hard)
}

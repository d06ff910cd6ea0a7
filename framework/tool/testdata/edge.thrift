// Corner cases that must still compile: `namespace *`, an empty enum and service, typedefs of
// typedefs in map keys, double keys, sets of sets, a throws field named like the result's success
// field, and a service that only inherits.
include "base.thrift"

namespace * edge.cases

enum Nothing {}

typedef Nothing Naught
typedef list<i32> Ints
typedef base.Money Cash

struct Corner {
    1: map<Naught, Ints> by_naught = {}
    2: list<Ints> nested = [[1, 2], [3]]
    3: map<double, string> by_double
    4: optional Cash cash
    5: list<Cash> cashes
    6: map<Cash, Ints> by_cash
    7: set<set<string>> sets
    8: optional Ints opt_ints = [1]
    9: required binary blob
    10: double big = 1e10
    11: i8 tiny = -1
    12: map<binary, list<binary>> blobs
}

const Ints SOME = [4]
const list<Ints> MORE = [SOME, [5]]
const Corner CORNER = {"nested": [[1]], "cash": {"units": 3}, "blob": "zz", "tiny": 2}

exception Oops {
    1: string success
}

service Nil {}

service OnlyInherited extends base.BaseService {}

service Clash {
    void f() throws (1: Oops success, 2: base.NotFound result)
    i32 g(1: i32 p, 2: i32 c, 3: i32 a, 4: i32 r)
}

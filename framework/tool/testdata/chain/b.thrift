include "c.thrift"

namespace go chain.y.common

struct B {
    1: c.C c
    2: map<string, c.Kind> kinds
}

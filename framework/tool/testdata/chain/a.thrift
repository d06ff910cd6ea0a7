// a includes b, which includes c: each file is its own package, imported by path. b and c have
// packages of the same name, so a imports them under different names.
include "b.thrift"
include "c.thrift"

namespace go chain.x.common

struct A {
    1: b.B b
    2: c.C c
    3: list<c.Kind> kinds
}

service Chain {
    b.B Get(1: A a, 2: c.C c) throws (1: c.Oops oops)
}

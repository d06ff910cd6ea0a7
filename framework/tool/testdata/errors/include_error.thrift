include "unknown_type.thrift"

struct B {
    1: unknown_type.A a
}

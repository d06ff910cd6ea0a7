include "cycle_a.thrift"

struct B {
    1: i32 x
}

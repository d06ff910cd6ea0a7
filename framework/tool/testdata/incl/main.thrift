// main.thrift includes base.thrift from an include directory (-I tool/testdata).
include "base.thrift"

namespace go incl

struct UsesBase {
    1: base.Money money
}

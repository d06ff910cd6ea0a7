// Version 2 of v1/hello.thrift: Hello now extends base.BaseService (Ping, and the oneway Fire, whose
// argument type lives in package base) and has a new method, Count. Load it with -I tool/testdata.
include "base.thrift"

namespace go hello

struct HelloRequest {
    1: string name
}

struct HelloResponse {
    1: string greeting
}

exception HelloError {
    1: string reason
}

// Hello greets people.
service Hello extends base.BaseService {
    // Greet greets one person.
    HelloResponse Greet(1: HelloRequest req) throws (1: HelloError err)
    // Count counts names.
    i32 Count(1: list<string> names)
}

// Version 1 of the service the scaffolding tests generate: v2/hello.thrift is the same service after
// it gained methods, an inherited one from an include among them.
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
service Hello {
    // Greet greets one person.
    HelloResponse Greet(1: HelloRequest req) throws (1: HelloError err)
}

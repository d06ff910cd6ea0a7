// The service the framework's own tests and the Kitex interop tests use.
namespace go echo

struct Request {
    1: string message
    // The handler sleeps this long before answering.
    2: i32 delay_ms
    // The handler throws EchoError instead of answering.
    3: bool fail
    // Metainfo keys the handler reads back: Response.meta gets "t.<key>" for a transient value and
    // "p.<key>" for a persistent one, when present.
    4: list<string> meta_keys
    // The handler panics.
    5: bool panic
}

struct Response {
    1: string message
    2: map<string, string> meta
}

exception EchoError {
    1: i32 code
    2: string message
}

service Echo {
    Response Echo(1: Request req) throws (1: EchoError err)
    oneway void Notify(1: Request req)
}

// A second service, for servers that host several services on one port.
service Greeter {
    string Hello(1: string name)
}

// The echo service of the RPC benchmark (bench/): one unary call whose reply carries the request's
// message back.
namespace go echo

struct Request {
    1: string message
}

struct Response {
    1: string message
}

service Echo {
    Response Echo(1: Request req)
}

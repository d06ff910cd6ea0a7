// Package grpc is Tern's gRPC transport: HTTP/2 built on golang.org/x/net/http2's Framer and hpack, wire
// compatible with grpc-go, without depending on it.
//
// The transport moves bytes: a Server hands each call's request message to a Handler and writes back
// the response message, headers and a status; a ClientConn multiplexes calls over one connection.
// Encoding messages (protobuf, Thrift) is left to the caller.
//
//	srv := grpc.NewServer(grpc.MethodMap{"/echo.Echo/Say": say}, grpc.DefaultConfig())
//	go srv.ServeConn(conn) // conn: a net.Conn, or a transport.Conn through NewStreamConn
//
//	cc, err := grpc.Dial(ctx, "tcp", addr, grpc.DefaultConfig())
//	resp, header, trailer, err := cc.Invoke(ctx, "/echo.Echo/Say", md, req)
//
// Errors carry rpcerr codes, which are the gRPC status codes.
package grpc

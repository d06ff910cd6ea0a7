// Package grpc is Tern's gRPC transport: HTTP/2 built on golang.org/x/net/http2's Framer and hpack, wire
// compatible with grpc-go, without depending on it.
//
// The transport moves bytes: encoding messages (protobuf, Thrift) is left to the caller. A ClientConn
// multiplexes calls over one connection; a Server hands each call to a Handler, which says per method
// whether it is unary or streaming.
//
//	srv := grpc.NewServer(grpc.MethodMap{
//		"/echo.Echo/Say":  grpc.UnaryFunc(say),   // one request, one response
//		"/echo.Echo/Chat": grpc.StreamFunc(chat), // any number of messages each way
//	}, grpc.DefaultConfig())
//	go srv.ServeConn(conn) // conn: a net.Conn, or a transport.Conn through NewStreamConn
//
//	cc, err := grpc.Dial(ctx, "tcp", addr, grpc.DefaultConfig())
//	resp, header, trailer, err := cc.Invoke(ctx, "/echo.Echo/Say", md, req)
//	cs, err := cc.NewStream(ctx, "/echo.Echo/Chat", md) // then SendMsg, CloseSend, RecvMsg until io.EOF
//
// Unary calls and streams share one code path. Each stream's receive buffer is bounded by its
// flow-control window: window updates go out as the application reads messages, so a slow reader holds
// the sender back, and SendMsg blocks on the peer's window until the call's context ends. Errors carry
// rpcerr codes, which are the gRPC status codes.
package grpc

package grpc

import (
	"context"
	"net"

	"github.com/ternhq/tern/framework/metadata"
)

// remoteAddr returns the peer address of a connection that knows it (a net.Conn, or a transport.Conn
// through NewStreamConn), or nil.
func remoteAddr(rwc any) net.Addr {
	if a, ok := rwc.(interface{ RemoteAddr() net.Addr }); ok {
		return a.RemoteAddr()
	}
	return nil
}

// PeerAddr returns the address of the client of the call served under ctx (nil outside a handler, or
// when the connection did not say).
func PeerAddr(ctx context.Context) net.Addr {
	if call, ok := metadata.ServerCallFromContext(ctx); ok {
		if ss, ok := call.(*ServerStream); ok {
			return ss.sc.remote
		}
	}
	return nil
}

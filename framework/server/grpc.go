package server

import (
	"context"
	"errors"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/framework/codec/protobuf"
	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/streaming"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/grpc"
)

// grpcHandler serves the gRPC calls that arrive on the server's port, routing "/pkg.Service/Method"
// to the registered protobuf services through the same middleware, limits and panic recovery as
// every other call.
type grpcHandler struct {
	s        *Server
	services map[string]*service // by gRPC path prefix
}

func newGRPCHandler(s *Server) *grpcHandler {
	h := &grpcHandler{s: s, services: make(map[string]*service, len(s.services))}
	for _, svc := range s.services {
		h.services[svc.info.GRPCPrefix()] = svc
	}
	return h
}

// lookup finds the service and method of a gRPC path.
func (h *grpcHandler) lookup(path string) (*service, *serviceinfo.MethodInfo, error) {
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		return nil, nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "malformed method name %q", path)
	}
	svc := h.services[path[:i+1]]
	if svc == nil {
		return nil, nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "unknown service %s", path[1:i])
	}
	mi := svc.info.Methods[path[i+1:]]
	if mi == nil {
		return nil, nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "unknown method %s for service %s", path[i+1:], path[1:i])
	}
	if svc.info.PayloadCodec != serviceinfo.Protobuf {
		return nil, nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "service %s is a Thrift service; gRPC serves protobuf services", svc.info.ServiceName)
	}
	return svc, mi, nil
}

// MethodKind implements grpc.Handler.
func (h *grpcHandler) MethodKind(path string) grpc.Kind {
	_, mi, err := h.lookup(path)
	switch {
	case err != nil:
		return grpc.KindUnknown
	case mi.StreamingMode != streaming.None:
		return grpc.KindStreaming
	}
	return grpc.KindUnary
}

// HandleUnary implements grpc.Handler.
func (h *grpcHandler) HandleUnary(ctx context.Context, path string, md metadata.MD, req []byte) ([]byte, metadata.MD, error) {
	svc, mi, err := h.lookup(path)
	if err != nil {
		return nil, nil, err
	}
	if h.s.limits != nil {
		if err := h.s.limits.AcquireCall(); err != nil {
			return nil, nil, err
		}
		defer h.s.limits.ReleaseCall()
	}
	cl := &call{proto: transport.GRPC, codec: serviceinfo.Protobuf, name: mi.Name, svc: svc,
		args: mi.NewArgs(), result: mi.NewResult()}
	if err := decodeArgs(serviceinfo.Protobuf, req, cl.args); err != nil {
		return nil, nil, rpcerr.Errorf(rpcerr.CodeInternal, "decode %s request: %v", mi.Name, err)
	}
	cl.ctx = h.callContext(ctx, md, svc, mi)
	if err := h.s.invoke(cl); err != nil {
		err, trailer := grpc.BizStatusTrailer(err)
		return nil, trailer, err
	}
	body, ok := cl.result.(protobuf.Body)
	if !ok {
		return nil, nil, rpcerr.Errorf(rpcerr.CodeInternal, "result %T of %s is not a protobuf body", cl.result, mi.Name)
	}
	resp, err := proto.Marshal(body.Message())
	if err != nil {
		return nil, nil, rpcerr.Errorf(rpcerr.CodeInternal, "encode %s response: %v", mi.Name, err)
	}
	return resp, nil, nil
}

// HandleStream implements grpc.Handler: the call goes through the server's middleware with the
// stream (a streaming.ServerStream) as its arguments and no result, then to the method's
// StreamHandler.
func (h *grpcHandler) HandleStream(ctx context.Context, path string, ss *grpc.ServerStream) error {
	svc, mi, err := h.lookup(path)
	if err != nil {
		return err
	}
	if h.s.limits != nil {
		if err := h.s.limits.AcquireCall(); err != nil {
			return err
		}
		defer h.s.limits.ReleaseCall()
	}
	cl := &call{proto: transport.GRPC, codec: serviceinfo.Protobuf, name: mi.Name, svc: svc}
	cl.ctx = h.callContext(ctx, ss.Header(), svc, mi)
	cl.args = &serverStream{ctx: cl.ctx, ss: ss}
	err, trailer := grpc.BizStatusTrailer(h.s.invoke(cl))
	if trailer != nil {
		ss.SetTrailer(trailer)
	}
	return err
}

// serverStream is a streaming call's server end as handlers see it: protobuf messages over the
// transport's byte stream, and the call's context with rpcinfo and metainfo.
type serverStream struct {
	ctx context.Context
	ss  *grpc.ServerStream
}

func (s *serverStream) Context() context.Context        { return s.ctx }
func (s *serverStream) SetHeader(md metadata.MD) error  { return s.ss.SetHeader(md) }
func (s *serverStream) SendHeader(md metadata.MD) error { return s.ss.SendHeader(md) }
func (s *serverStream) SetTrailer(md metadata.MD)       { s.ss.SetTrailer(md) }

func (s *serverStream) SendMsg(m any) error {
	b, err := protobuf.MarshalAny(m)
	if err != nil {
		return rpcerr.Errorf(rpcerr.CodeInternal, "encode stream message: %v", err)
	}
	return s.ss.SendMsg(b)
}

func (s *serverStream) RecvMsg(m any) error {
	b, err := s.ss.RecvMsg()
	if err != nil {
		return err
	}
	if err := protobuf.UnmarshalAny(b, m); err != nil {
		return rpcerr.Errorf(rpcerr.CodeInternal, "decode stream message: %v", err)
	}
	return nil
}

// callContext builds a gRPC handler's context on the transport's (which carries the deadline and
// cancellation): rpcinfo and the metainfo received.
func (h *grpcHandler) callContext(ctx context.Context, md metadata.MD, svc *service, mi *serviceinfo.MethodInfo) context.Context {
	ctx = grpc.WithIncomingMetainfo(ctx, md)
	var timeout time.Duration
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	return newHandlerContext(ctx, rpcinfo.Data{
		Caller:     rpcinfo.Peer{Addr: grpc.PeerAddr(ctx)},
		Callee:     rpcinfo.Peer{Service: svc.info.ServiceName, Method: mi.Name},
		Protocol:   transport.GRPC,
		RPCTimeout: timeout,
	})
}

// serveHTTP2 hands a connection that opened with the HTTP/2 preface to the gRPC server, which serves it
// until it closes. The connection counts as busy meanwhile: Stop drains it with a GOAWAY rather than
// closing it under calls, and the idle timeout leaves it to HTTP/2's own keepalive.
func (c *conn) serveHTTP2(tc transport.Conn) error {
	_ = tc.SetReadTimeout(0) // a gRPC connection idles between calls
	c.http2.Store(true)
	err := c.s.grpc.ServeConn(grpc.NewStreamConn(tc))
	c.inflight.Add(-1)
	if err != nil && tc.IsActive() {
		c.s.cfg.logger.Warn("tern server: closing HTTP/2 connection", "remote", tc.RemoteAddr().String(), "error", err.Error())
	}
	return errHTTP2Done
}

// errHTTP2Done closes a connection once its HTTP/2 session is over.
var errHTTP2Done = errors.New("http/2 session over")

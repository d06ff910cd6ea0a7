package client

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/framework/client/callopt"
	"github.com/ternhq/tern/framework/codec/protobuf"
	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/stats"
	"github.com/ternhq/tern/framework/streaming"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/grpc"
)

// grpcConns makes calls over gRPC: one HTTP/2 connection per address, shared by every call to it
// (HTTP/2 multiplexes them), dialled again once it has closed or received a GOAWAY.
type grpcConns struct {
	sharedPool
	cfg   grpc.Config
	conns map[string]*sharedSlot[*grpc.ClientConn] // guarded by mu
}

func newGRPCConns(cfg grpc.Config) *grpcConns {
	return &grpcConns{cfg: cfg, conns: make(map[string]*sharedSlot[*grpc.ClientConn])}
}

func (p *grpcConns) close() error {
	p.mu.Lock()
	p.closed = true
	conns := p.conns
	p.conns = map[string]*sharedSlot[*grpc.ClientConn]{}
	p.mu.Unlock()
	for _, slot := range conns {
		if slot.conn != nil {
			_ = slot.conn.Close()
		}
	}
	return nil
}

// get returns an open connection to addr, dialling when there is none.
func (p *grpcConns) get(ctx context.Context, addr string, timeout time.Duration) (*grpc.ClientConn, error) {
	slotOf := func() *sharedSlot[*grpc.ClientConn] {
		slot := p.conns[addr]
		if slot == nil {
			slot = new(sharedSlot[*grpc.ClientConn])
			p.conns[addr] = slot
		}
		return slot
	}
	dial := func(ctx context.Context) (*grpc.ClientConn, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return grpc.Dial(ctx, "tcp", addr, p.cfg)
	}
	cc, _, err := acquire(ctx, &p.sharedPool, slotOf, (*grpc.ClientConn).Usable, dial,
		func(cc *grpc.ClientConn) { _ = cc.Close() })
	return cc, err
}

func (p *grpcConns) roundTrip(ctx context.Context, c *client, addr string, ri *rpcinfo.Info, req, resp any) error {
	dl, hasDL := deadline(ctx, ri)
	if hasDL {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl)
		defer cancel()
	}
	in, ok := req.(protobuf.Body)
	if !ok {
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "request %T is not a protobuf body", req)
	}
	out, ok := resp.(protobuf.Body)
	if !ok {
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "result %T is not a protobuf body", resp)
	}
	b, err := proto.Marshal(in.Message())
	if err != nil {
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "encode %s request: %v", ri.Method(), err)
	}
	md := requestMetadata(ctx)
	var body []byte
	var header, trailer metadata.MD
	// A call the server refused unprocessed (a GOAWAY from a server going away, REFUSED_STREAM) is sent
	// once more, on a fresh connection when the old one is going away, as grpc-go does; should that
	// be refused too, the error says the request never reached a handler, for the retry policy.
	for attempt := 0; ; attempt++ {
		var cc *grpc.ClientConn
		if cc, err = p.get(ctx, addr, c.connectTimeout(ctx)); err != nil {
			return dialError(ctx, addr, err)
		}
		if attempt == 0 {
			c.connected(ctx, addr)
		}
		body, header, trailer, err = cc.Invoke(ctx, c.grpcPaths[ri.Method()], md, b)
		if err == nil || !errors.Is(err, grpc.ErrRefused) || ctx.Err() != nil {
			break
		}
		if attempt == 1 {
			return notSent(err)
		}
	}
	if co, ok := callopt.FromContext(ctx); ok {
		if co.GRPCHeader != nil {
			*co.GRPCHeader = header
		}
		if co.GRPCTrailer != nil {
			*co.GRPCTrailer = trailer
		}
	}
	// A reply that comes in at or after the deadline is late, whatever it says: the caller has been told
	// the call may take no longer (a server that ignores grpc-timeout answers just then).
	if rpcerr.CodeOf(err) == rpcerr.CodeDeadlineExceeded || hasDL && !time.Now().Before(dl) {
		return timeoutError(ri)
	}
	if err != nil {
		return grpc.BizStatusFromTrailer(err, trailer)
	}
	c.responseRead(ctx)
	if err := proto.Unmarshal(body, out.MessageToDecode()); err != nil {
		return rpcerr.Errorf(rpcerr.CodeInternal, "decode %s response: %v", ri.Method(), err)
	}
	return nil
}

// requestMetadata returns the request headers of a gRPC call made with ctx: the context's outgoing
// metadata (package metadata) and its metainfo values.
func requestMetadata(ctx context.Context) metadata.MD {
	md, ok := metadata.FromOutgoingContext(ctx)
	if ok {
		md = md.Copy() // the context's is shared by every call made with it
	}
	return grpc.AppendOutgoingMetainfo(ctx, md)
}

// NewStream implements Client: it opens a streaming call on an instance picked as for any call. The
// stream lives until RecvMsg returns an error or ctx ends; the RPC timeout does not apply to it (give
// ctx a deadline to bound it).
func (c *client) NewStream(ctx context.Context, method string) (streaming.ClientStream, error) {
	if c.closed.Load() {
		return nil, rpcerr.New(rpcerr.CodeCanceled, "client is closed")
	}
	mi := c.svc.Methods[method]
	if mi == nil {
		return nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "service %s has no method %q", c.svc.ServiceName, method)
	}
	conns, ok := c.rt.(*grpcConns)
	if !ok || mi.StreamingMode == streaming.None {
		return nil, rpcerr.Errorf(rpcerr.CodeUnimplemented,
			"%s.%s: streaming calls need a streaming method and the gRPC transport (WithTransportProtocol(transport.GRPC))",
			c.svc.ServiceName, method)
	}
	d := rpcinfo.Data{
		Caller:   rpcinfo.Peer{Service: c.cfg.callerName},
		Callee:   rpcinfo.Peer{Service: c.cfg.destService, Method: mi.Name},
		Protocol: transport.GRPC,
	}
	if co, ok := callopt.FromContext(ctx); ok && co.HostPort != "" {
		d.Callee.Addr = hostPort(co.HostPort)
	}
	ri := rpcinfo.New(d)
	ctx = rpcinfo.NewContext(ctx, ri)
	ctx, call := c.cfg.stats.Controller().Start(ctx, stats.Client, c.svc) // the tracers see the whole stream
	cs, err := c.openStream(ctx, conns, ri, method)
	if err != nil {
		c.cfg.stats.Controller().Finish(ctx, call, err)
		return nil, err
	}
	s := &clientStream{cs: cs}
	if call != nil {
		s.finish = func(err error) { c.cfg.stats.Controller().Finish(ctx, call, err) }
		// A stream the caller abandons by cancelling ctx, without reading it to its end, ends there.
		s.stop = context.AfterFunc(ctx, func() { s.end(contextError(ctx, ctx.Err())) })
	}
	return s, nil
}

// openStream picks an instance and opens the stream on a connection to it.
func (c *client) openStream(ctx context.Context, conns *grpcConns, ri *rpcinfo.Info, method string) (*grpc.ClientStream, error) {
	addr, err := c.pick(ctx, ri, nil)
	if err != nil {
		return nil, err
	}
	cc, err := conns.get(ctx, addr, c.connectTimeout(ctx))
	if err != nil {
		return nil, dialError(ctx, addr, err)
	}
	c.connected(ctx, addr)
	return cc.NewStream(ctx, c.grpcPaths[method], requestMetadata(ctx))
}

// clientStream is a streaming call's client end as callers see it: protobuf messages over the
// transport's byte stream. With tracers, the call is recorded from NewStream until RecvMsg reports the
// end of the stream (or the caller's context ends first).
type clientStream struct {
	cs     *grpc.ClientStream
	finish func(err error) // nil without tracers
	stop   func() bool
	once   sync.Once
}

// end records the end of the stream for the tracers, once.
func (s *clientStream) end(err error) {
	if s.finish == nil {
		return
	}
	s.once.Do(func() {
		s.stop()
		s.finish(err)
	})
}

func (s *clientStream) Context() context.Context     { return s.cs.Context() }
func (s *clientStream) Header() (metadata.MD, error) { return s.cs.Header() }
func (s *clientStream) Trailer() metadata.MD         { return s.cs.Trailer() }
func (s *clientStream) CloseSend() error             { return s.cs.CloseSend() }

func (s *clientStream) SendMsg(m any) error {
	b, err := protobuf.MarshalAny(m)
	if err != nil {
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "encode stream message: %v", err)
	}
	return s.cs.SendMsg(b)
}

func (s *clientStream) RecvMsg(m any) error {
	b, err := s.cs.RecvMsg()
	if err != nil {
		if err == io.EOF {
			s.end(nil)
			return err
		}
		err = grpc.BizStatusFromTrailer(err, s.cs.Trailer())
		s.end(err)
		return err
	}
	if err := protobuf.UnmarshalAny(b, m); err != nil {
		return rpcerr.Errorf(rpcerr.CodeInternal, "decode stream message: %v", err)
	}
	return nil
}

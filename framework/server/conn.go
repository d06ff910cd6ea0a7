package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/codec/protobuf"
	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/internal/workers"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/streaming"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// conn is one accepted connection. OnRead runs on netpoll's goroutine for the connection, one message
// at a time. Calls whose TTHeader says the client takes replies out of order (FlagSupportOutOfOrder, set
// by multiplexing clients, Tern's and Kitex's) are served concurrently; all others in order, inline.
type conn struct {
	s          *Server
	tc         transport.Conn
	msg        frame.Message // the message being read; only OnRead touches it
	begun      bool          // OnRead has seen the connection's first bytes; only OnRead touches it
	http2      atomic.Bool   // the connection is served by the gRPC server
	wmu        sync.Mutex    // serialises replies, and closing with them
	closed     bool          // guarded by wmu: netpoll has (or is about to) release the buffers
	replies    replyQueue    // the encoded replies of multiplexed calls, waiting for a flush
	inflight   atomic.Int32
	lastActive atomic.Int64 // unix nanoseconds of the last request (with WithMaxConnIdleTime only)
	limited    bool         // holds one of the server's connection slots
	refused    error        // over the connection limit: the first request gets this error
}

// idle reports whether the connection has no call in flight and no unread bytes.
func (c *conn) idle() bool {
	return c.inflight.Load() == 0 && c.tc.Len() == 0
}

// OnRead reads one request and starts serving it. An error closes the connection. The connection
// counts as busy from the moment reading starts, so shutdown never closes it under a request.
func (c *conn) OnRead(tc transport.Conn) error {
	c.inflight.Add(1)
	if !c.begun { // only a connection's first bytes can be the HTTP/2 preface
		c.begun = true
		if c.refused == nil && isHTTP2(tc) {
			return c.serveHTTP2(tc)
		}
	}
	if err := frame.Read(tc, c.s.cfg.maxFrameSize, &c.msg); err != nil {
		c.inflight.Add(-1)
		c.logReadError(err)
		return err
	}
	if c.s.cfg.maxIdle > 0 { // only the idle-connection reaper reads it: spare the clock otherwise
		c.lastActive.Store(time.Now().UnixNano())
	}
	outOfOrder := c.msg.Header.Flags&ttheader.FlagSupportOutOfOrder != 0
	cl, err := c.decode(&c.msg)
	_ = tc.Release()
	if err != nil {
		c.inflight.Add(-1)
		c.s.cfg.logger.Warn("tern server: closing connection: malformed request",
			"remote", tc.RemoteAddr().String(), "error", err.Error())
		return err
	}
	if c.refused != nil {
		cl.err = c.refused
		c.serve(cl)
		return c.refused // closes the connection
	}
	if cl.err == nil && c.s.limits != nil { // admit the call before spending a goroutine on it
		if cl.err = c.s.limits.AcquireCall(); cl.err == nil {
			cl.admitted = true
		}
	}
	if outOfOrder {
		cl.outOfOrder = true
		c.replies.dispatch()
		calls.Go(cl) // a multiplexing client: serve its calls concurrently, reply as each finishes
	} else {
		c.serve(cl) // one call at a time, replies in order
	}
	return nil
}

// isHTTP2 reports whether the next bytes are the HTTP/2 client preface.
func isHTTP2(tc transport.Conn) bool {
	head, err := tc.Peek(transport.PeekLen)
	return err == nil && transport.Detect(head) == transport.KindHTTP2
}

// calls serves the calls of multiplexed connections on reused goroutines (see package workers).
var calls = workers.New(func(cl *call) {
	cl.conn.replies.begin()
	cl.conn.serve(cl)
}, 10*time.Second)

// OnClose forgets the connection. netpoll calls it before releasing the connection's buffers, so
// marking the connection closed under the write lock keeps a concurrent reply from writing into freed
// buffers.
func (c *conn) OnClose(transport.Conn) {
	c.wmu.Lock()
	c.closed = true
	c.wmu.Unlock()
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	if c.limited {
		c.s.limits.ReleaseConn()
	}
}

func (c *conn) logReadError(err error) {
	if errors.Is(err, io.EOF) || !c.tc.IsActive() {
		return // the peer closed the connection, or we did
	}
	c.s.cfg.logger.Warn("tern server: closing connection: "+readErrorReason(err),
		"remote", c.tc.RemoteAddr().String(), "error", err.Error())
}

func readErrorReason(err error) string {
	switch rpcerr.CodeOf(err) {
	case rpcerr.CodeResourceExhausted:
		return "request too large"
	case rpcerr.CodeInvalidArgument:
		return "protocol error"
	}
	return "read failed"
}

// call is one request being served.
type call struct {
	conn       *conn
	proto      transport.Protocol
	codec      serviceinfo.PayloadCodec
	seq        int32
	name       string
	oneway     bool
	svc        *service
	args       any
	result     any
	ctx        context.Context
	timeout    time.Duration
	err        error // set before the handler runs when the request cannot be served
	admitted   bool  // holds one of the server's call slots (WithLimit)
	outOfOrder bool  // the client takes replies out of order: served concurrently, replies flushed together
	hdr        ttheader.Header
}

var callPool = sync.Pool{New: func() any { return new(call) }}

func (cl *call) release() {
	hdr := cl.hdr
	hdr.Reset()
	*cl = call{hdr: hdr}
	callPool.Put(cl)
}

// decode turns a message into a call. Errors the caller can be told about become the call's err; an
// error is returned only when no reply is possible (the message header itself is unreadable).
func (c *conn) decode(m *frame.Message) (*call, error) {
	name, typ, seq, body, err := readMessageBegin(m)
	if err != nil {
		return nil, err
	}
	cl := callPool.Get().(*call)
	cl.conn, cl.proto, cl.codec, cl.seq = c, m.Protocol, m.Codec, seq
	cl.oneway = typ == thrift.ONEWAY
	if typ != thrift.CALL && typ != thrift.ONEWAY {
		cl.name = string(name)
		cl.err = rpcerr.Errorf(rpcerr.CodeInternal, "message type %d is not a call", typ).
			WithExceptionType(rpcerr.ExceptionInvalidMessageType)
		return cl, nil
	}
	svc, err := c.s.route(&m.Header, name)
	if err == nil && svc.info.PayloadCodec != m.Codec {
		err = rpcerr.Errorf(rpcerr.CodeInvalidArgument, "service %s does not speak %s", svc.info.ServiceName,
			codecName(m.Codec)).WithExceptionType(rpcerr.ExceptionProtocolError)
	}
	if err != nil {
		cl.name, cl.err = string(name), err
		return cl, nil
	}
	mi := svc.info.Methods[string(name)]
	cl.name, cl.svc = mi.Name, svc
	if mi.StreamingMode != streaming.None {
		cl.err = rpcerr.Errorf(rpcerr.CodeUnimplemented, "method %s streams: call it over gRPC", mi.Name).
			WithExceptionType(rpcerr.ExceptionUnknownMethod)
		return cl, nil
	}
	cl.oneway = cl.oneway || mi.Oneway // Kitex sends oneway calls with message type CALL
	cl.args = mi.NewArgs()
	if err := decodeArgs(m.Codec, body, cl.args); err != nil {
		cl.err = rpcerr.Errorf(rpcerr.CodeInvalidArgument, "decode %s arguments: %v", mi.Name, err).
			WithExceptionType(rpcerr.ExceptionProtocolError)
		return cl, nil
	}
	if !mi.Oneway && mi.NewResult != nil {
		cl.result = mi.NewResult()
	}
	cl.ctx = c.callContext(cl, &m.Header, mi)
	return cl, nil
}

// route finds the service for a request: by the TTHeader "isn" key when present, else by method name.
func (s *Server) route(h *ttheader.Header, name []byte) (*service, error) {
	if isn, ok := h.Str(ttheader.KeyIDLServiceName); ok && len(isn) > 0 {
		svc := s.services[string(isn)]
		if svc == nil {
			return nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "unknown service %q", isn).
				WithExceptionType(rpcerr.ExceptionUnknownService)
		}
		if svc.info.Methods[string(name)] == nil {
			return nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "unknown method %q in service %s", name, isn)
		}
		return svc, nil
	}
	svc := s.byMethod[string(name)]
	if svc == nil {
		return nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "unknown method %q", name)
	}
	return svc, nil
}

// callContext builds the handler's context: rpcinfo, metainfo received, backward values to send (in
// one allocation when no metainfo arrived), and the caller's timeout (set as the deadline when the
// handler runs).
func (c *conn) callContext(cl *call, h *ttheader.Header, mi *serviceinfo.MethodInfo) context.Context {
	ctx := context.Background()
	var caller rpcinfo.Peer
	caller.Addr = c.tc.RemoteAddr()
	if cl.proto&transport.TTHeader != 0 {
		if v, ok := h.Int(ttheader.FromService); ok {
			caller.Service = string(v)
		}
		if v, ok := h.Int(ttheader.FromMethod); ok {
			caller.Method = string(v)
		}
		if v, ok := h.Int(ttheader.RPCTimeout); ok {
			if ms, err := strconv.ParseInt(string(v), 10, 64); err == nil && ms > 0 {
				cl.timeout = time.Duration(ms) * time.Millisecond
			}
		}
		if hasMetainfo(h) {
			ctx = metainfo.WithIncoming(ctx, func(yield func(k, v []byte) bool) {
				for _, kv := range h.Strs {
					if !yield(kv.Key, kv.Value) {
						return
					}
				}
			})
		}
	}
	return newHandlerContext(ctx, rpcinfo.Data{
		Caller:     caller,
		Callee:     rpcinfo.Peer{Service: cl.svc.info.ServiceName, Method: mi.Name, Addr: c.tc.LocalAddr()},
		SeqID:      cl.seq,
		Protocol:   cl.proto,
		RPCTimeout: cl.timeout,
		Oneway:     cl.oneway,
	})
}

// msgTypeValue is the TTHeader MsgType value of each message type, in decimal.
var msgTypeValue = [...]string{thrift.CALL: "1", thrift.REPLY: "2", thrift.EXCEPTION: "3", thrift.ONEWAY: "4"}

// hasMetainfo reports whether a header carries metainfo values, sparing calls without any the cost of
// collecting them.
func hasMetainfo(h *ttheader.Header) bool {
	for _, kv := range h.Strs {
		if bytes.HasPrefix(kv.Key, transitPrefix) || bytes.HasPrefix(kv.Key, persistPrefix) {
			return true
		}
	}
	return false
}

var (
	transitPrefix = []byte(metainfo.PrefixTransient)
	persistPrefix = []byte(metainfo.PrefixPersistent)
)

// serve runs the handler and writes the reply.
func (c *conn) serve(cl *call) {
	defer func() {
		if r := recover(); r != nil { // a bug in the framework itself: never take the process down
			c.s.cfg.logger.Error("tern server: panic serving a call", "method", cl.name, "panic", r, "stack", string(stack()))
			_ = c.tc.Close()
		}
		cl.release()
		c.inflight.Add(-1)
	}()
	if cl.admitted {
		defer c.s.limits.ReleaseCall()
	}
	if sc := c.s.startStats(cl); sc != nil {
		defer c.s.finishStats(sc, cl)
	}
	if cl.err == nil {
		cl.err = c.s.invoke(cl)
	}
	if cl.oneway {
		return
	}
	c.reply(cl)
}

// invoke calls the service's endpoint, turning a panic into an internal error.
func (s *Server) invoke(cl *call) (err error) {
	ctx := cl.ctx
	if cl.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cl.timeout)
		defer cancel()
	}
	defer func() {
		if r := recover(); r != nil {
			err = rpcerr.Errorf(rpcerr.CodeInternal, "panic in handler %s.%s: %v", cl.svc.info.ServiceName, cl.name, r)
			s.cfg.logger.Error("tern server: handler panicked", "service", cl.svc.info.ServiceName,
				"method", cl.name, "panic", r, "stack", string(stack()))
		}
	}()
	return cl.svc.call(ctx, cl.args, cl.result)
}

// reply writes the call's result, or its error as an exception.
func (c *conn) reply(cl *call) {
	h := &cl.hdr
	if cl.proto&transport.TTHeader != 0 {
		c.bizStatusReply(cl, h)
		typ := thrift.REPLY
		if cl.err != nil {
			typ = thrift.EXCEPTION
			if code := rpcerr.CodeOf(cl.err); code != rpcerr.CodeOK {
				h.SetStr(ttheader.KeyErrorCode, strconv.FormatUint(uint64(code), 10))
			}
		}
		h.SetInt(ttheader.MsgType, msgTypeValue[typ]) // as a Kitex server writes it
		if c.s.shutting.Load() {
			h.SetStr(ttheader.KeyConnResetFlag, "1")
		}
		if cl.ctx != nil {
			metainfo.RangeBackwardToSend(cl.ctx, func(k, v string) { h.SetStr(k, v) })
		}
		if err := h.Validate(); err != nil {
			c.s.cfg.logger.Warn("tern server: dropping reply headers", "method", cl.name, "error", err.Error())
			h.Reset()
		}
	}

	err := c.write(cl, h)
	if err != nil {
		if c.tc.IsActive() {
			c.s.cfg.logger.Warn("tern server: closing connection: writing a reply failed",
				"remote", c.tc.RemoteAddr().String(), "method", cl.name, "error", err.Error())
		}
		_ = c.tc.Close()
	}
}

// bizStatusReply turns a business status error into what Kitex's TTHeader meta handler sends for one:
// an ordinary reply with an empty result, and the status in the biz-status, biz-message and biz-extra
// headers.
func (c *conn) bizStatusReply(cl *call, h *ttheader.Header) {
	be, ok := rpcerr.BizStatusOf(cl.err)
	if !ok || cl.svc == nil {
		return
	}
	mi := cl.svc.info.Methods[cl.name]
	if mi == nil || mi.NewResult == nil {
		return
	}
	status, extra, _ := be.BizStatusWire()
	h.SetStr(ttheader.KeyBizStatus, status)
	h.SetStr(ttheader.KeyBizMessage, be.Message())
	if extra != "" {
		h.SetStr(ttheader.KeyBizExtra, extra)
	}
	cl.err, cl.result = nil, mi.NewResult()
}

// write sends one reply, unless netpoll is closing the connection. A call of an in-order (pooled)
// connection, the only one in flight there, is encoded and flushed at once under the write lock; a
// multiplexed call's reply goes through the connection's reply queue (see replyQueue), which sends
// the replies that finish together in one flush; such a call counts as answered (for tracers,
// stats.ServerResponseWritten) once its reply is queued behind a flush under way.
func (c *conn) write(cl *call, h *ttheader.Header) error {
	if cl.outOfOrder {
		return c.queueReply(cl, h)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return nil
	}
	return c.encode(cl, h, c.tc) // frame's writers flush
}

// encode writes a reply into w. A reply too large to send is replaced by an exception saying so; a
// panic while encoding (a result the handler changed concurrently, a nil element) becomes an error,
// and the connection, which may then hold a partial message, is closed by the caller.
func (c *conn) encode(cl *call, h *ttheader.Header, w transport.Writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = rpcerr.Errorf(rpcerr.CodeInternal, "encode %s reply: panic: %v", cl.name, r)
		}
	}()
	err = c.writeReply(w, cl, h, cl.err)
	if rpcerr.CodeOf(err) == rpcerr.CodeResourceExhausted { // refused before writing: say so instead
		err = c.writeReply(w, cl, h, rpcerr.Errorf(rpcerr.CodeInternal, "reply too large: %v", err))
	}
	return err
}

// writeReply encodes the call's result, or failure when it is not nil, in the call's codec and framing,
// into w, and flushes w.
func (c *conn) writeReply(w transport.Writer, cl *call, h *ttheader.Header, failure error) error {
	max := c.s.cfg.maxFrameSize
	if cl.codec == serviceinfo.Protobuf {
		if failure != nil {
			e := rpcerr.FromError(failure)
			ep := protobuf.NewErrorProto(int32(e.ExceptionType()), e.Message())
			return frame.WriteProtobufException(w, cl.proto, h, cl.name, cl.seq, ep, max)
		}
		body, ok := cl.result.(protobuf.Body)
		if !ok {
			return rpcerr.Errorf(rpcerr.CodeInternal, "result %T of %s is not a protobuf body", cl.result, cl.name)
		}
		return frame.WriteProtobuf(w, cl.proto, h, cl.name, protobuf.REPLY, cl.seq, body.Message(), max)
	}
	if failure != nil {
		e := rpcerr.FromError(failure)
		ae := thrift.NewApplicationException(e.ExceptionType(), e.Message())
		return frame.Write(w, cl.proto, h, cl.name, thrift.EXCEPTION, cl.seq, ae, max)
	}
	return frame.Write(w, cl.proto, h, cl.name, thrift.REPLY, cl.seq, cl.result.(thrift.Message), max)
}

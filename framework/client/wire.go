package client

import (
	"context"
	"strconv"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/framework/codec/protobuf"
	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// buffers are the per-call scratch values, pooled so that a call allocates none of them.
type buffers struct {
	hdr ttheader.Header
	msg frame.Message
	cmu sync.Mutex // held while a cancellation interrupts the connection, which must stay open meanwhile
}

var bufferPool = sync.Pool{New: func() any { return new(buffers) }}

func getBuffers() *buffers { return bufferPool.Get().(*buffers) }

func putBuffers(b *buffers) {
	b.hdr.Reset()
	b.msg.Header.Reset()
	b.msg.Payload = nil
	bufferPool.Put(b)
}

// requestHeader fills h with what a TTHeader request carries: the method, the service name (for
// multi-service servers), the timeout, the caller's name and metainfo.
func (c *client) requestHeader(ctx context.Context, h *ttheader.Header, ri *rpcinfo.Info) {
	h.Reset()
	h.SetInt(ttheader.ToMethod, ri.Method())
	if c.cfg.destService != "" {
		h.SetInt(ttheader.ToService, c.cfg.destService)
	}
	if c.cfg.callerName != "" {
		h.SetInt(ttheader.FromService, c.cfg.callerName)
	}
	if t := ri.RPCTimeout(); t > 0 {
		ms := c.timeoutMS
		if t != c.cfg.rpcTimeout {
			ms = millis(t)
		}
		h.SetInt(ttheader.RPCTimeout, ms)
	}
	if c.cfg.connKind == connMux {
		h.Flags = ttheader.FlagSupportOutOfOrder
	}
	h.SetStr(ttheader.KeyIDLServiceName, c.svc.ServiceName)
	metainfo.RangeOutgoing(ctx, func(k, v string) bool {
		h.SetStr(k, v)
		return true
	})
}

// writeRequest encodes and sends one request on w. A panic while encoding (a generated FastWrite meeting
// a nil element, a value changed while it is sent) becomes an internal error; the connection may then
// hold a partial message and must not be used again.
func (c *client) writeRequest(ctx context.Context, w transport.Writer, h *ttheader.Header, ri *rpcinfo.Info, req any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = rpcerr.Errorf(rpcerr.CodeInternal, "encode %s request: panic: %v", ri.Method(), r)
		}
	}()
	typ := thrift.CALL
	if ri.Oneway() {
		typ = thrift.ONEWAY
	}
	if c.cfg.protocol&transport.TTHeader != 0 {
		c.requestHeader(ctx, h, ri)
		if err := h.Validate(); err != nil {
			return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "request header: %v", err)
		}
	}
	if c.svc.PayloadCodec == serviceinfo.Protobuf {
		body, ok := req.(protobuf.Body)
		if !ok {
			return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "request %T is not a protobuf body", req)
		}
		return frame.WriteProtobuf(w, c.cfg.protocol, h, ri.Method(), protobuf.MessageType(typ), ri.SeqID(),
			body.Message(), c.cfg.maxFrameSize)
	}
	body, ok := req.(thrift.Message)
	if !ok {
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "request %T is not a Thrift message", req)
	}
	return frame.Write(w, c.cfg.protocol, h, ri.Method(), typ, ri.SeqID(), body, c.cfg.maxFrameSize)
}

// replyStatus says what a reply means for its connection.
type replyStatus uint8

const (
	replyOK        replyStatus = iota // the connection can be reused
	replyException                    // an application exception: a pooled connection is not reused
	replyReset                        // the server asked to drop the connection (crrst)
	replyBroken                       // the bytes made no sense: drop the connection
)

// decodeReply decodes a reply message into resp, or into the error it carries.
func decodeReply(ctx context.Context, m *frame.Message, ri *rpcinfo.Info, resp any) (replyStatus, error) {
	status := replyOK
	if m.Protocol&transport.TTHeader != 0 {
		if v, ok := m.Header.Str(ttheader.KeyConnResetFlag); ok && len(v) > 0 {
			status = replyReset
		}
		if metainfo.Receiving(ctx) {
			for _, kv := range m.Header.Strs {
				if !reservedReplyKey(kv.Key) {
					metainfo.SetReceivedBackward(ctx, string(kv.Key), string(kv.Value))
				}
			}
		}
	}
	if be := bizStatusError(m); be != nil {
		return status, be
	}
	if m.Codec == serviceinfo.Protobuf {
		return decodeProtobufReply(m, ri, resp, status)
	}
	name, typ, seq, n, err := thrift.ReadMessageBegin(m.Payload)
	if err != nil {
		return replyBroken, rpcerr.Errorf(rpcerr.CodeInternal, "read reply: %v", err).WithExceptionType(rpcerr.ExceptionProtocolError)
	}
	if err := checkReply(ri, name, seq); err != nil {
		return replyBroken, err
	}
	body := m.Payload[n:]
	switch typ {
	case thrift.REPLY:
		r, ok := resp.(thrift.Message)
		if !ok {
			return status, rpcerr.Errorf(rpcerr.CodeInvalidArgument, "result %T is not a Thrift message", resp)
		}
		if _, err := r.FastRead(body); err != nil {
			return replyBroken, decodeError(ri, "result", err)
		}
		return status, nil
	case thrift.EXCEPTION:
		var ae thrift.ApplicationException
		if _, err := ae.FastRead(body); err != nil {
			return replyBroken, decodeError(ri, "exception", err)
		}
		return exceptionStatus(status), replyError(m, ae.Type, ae.Message)
	}
	return replyBroken, messageTypeError(int(typ))
}

// bizStatusError returns the business status error a TTHeader reply carries in its biz-status,
// biz-message and biz-extra headers (see rpcerr.BizStatus), or nil.
func bizStatusError(m *frame.Message) error {
	status, ok := m.Header.Str(ttheader.KeyBizStatus)
	if !ok {
		return nil
	}
	msg, _ := m.Header.Str(ttheader.KeyBizMessage)
	extra, _ := m.Header.Str(ttheader.KeyBizExtra)
	if be := rpcerr.BizStatusFromWire(string(status), string(msg), string(extra)); be != nil {
		return be
	}
	return nil
}

// checkReply checks that a reply answers the call: its sequence id and method name.
func checkReply(ri *rpcinfo.Info, name []byte, seq int32) error {
	if seq != ri.SeqID() {
		return rpcerr.Errorf(rpcerr.CodeInternal, "reply has sequence id %d, want %d", seq, ri.SeqID()).
			WithExceptionType(rpcerr.ExceptionBadSequenceID)
	}
	if string(name) != ri.Method() {
		return rpcerr.Errorf(rpcerr.CodeInternal, "reply is for method %q, want %q", name, ri.Method()).
			WithExceptionType(rpcerr.ExceptionWrongMethodName)
	}
	return nil
}

func decodeError(ri *rpcinfo.Info, what string, err error) error {
	return rpcerr.Errorf(rpcerr.CodeInternal, "decode %s %s: %v", ri.Method(), what, err).
		WithExceptionType(rpcerr.ExceptionProtocolError)
}

func messageTypeError(typ int) error {
	return rpcerr.Errorf(rpcerr.CodeInternal, "reply has message type %d", typ).
		WithExceptionType(rpcerr.ExceptionInvalidMessageType)
}

// exceptionStatus is the status of a connection after an application exception. Like Kitex's client, a
// pooled connection is not reused after one: a Kitex server closes it after some of them (an unknown
// method over Framed or Buffered) without saying so. (Multiplexing is TTHeader-only, where Kitex says
// so with crrst.)
func exceptionStatus(status replyStatus) replyStatus {
	if status == replyOK {
		return replyException
	}
	return status
}

// replyError turns an exception's type and message into the call's error, with the exact code a Tern
// server names in the TTHeader.
func replyError(m *frame.Message, typ int32, msg string) error {
	if v, ok := m.Header.Str(ttheader.KeyErrorCode); ok {
		if code, err := strconv.ParseUint(string(v), 10, 32); err == nil && code != 0 {
			return rpcerr.New(rpcerr.Code(code), msg).WithExceptionType(typ)
		}
	}
	return rpcerr.FromException(typ, msg)
}

// decodeProtobufReply decodes a Kitex Protobuf reply into resp, a protobuf body, or into its error.
func decodeProtobufReply(m *frame.Message, ri *rpcinfo.Info, resp any, status replyStatus) (replyStatus, error) {
	name, typ, seq, n, err := protobuf.DecodeHeader(m.Payload)
	if err != nil {
		return replyBroken, rpcerr.Errorf(rpcerr.CodeInternal, "read reply: %v", err).WithExceptionType(rpcerr.ExceptionProtocolError)
	}
	// A Kitex server answers a request it cannot route (over Framed) with an exception of sequence id
	// 0; on a connection that carries one call at a time it can only be this call's answer.
	if unrouted := typ == protobuf.EXCEPTION && seq == 0; !unrouted {
		if err := checkReply(ri, name, seq); err != nil {
			return replyBroken, err
		}
	}
	body := m.Payload[n:]
	switch typ {
	case protobuf.REPLY:
		r, ok := resp.(protobuf.Body)
		if !ok {
			return status, rpcerr.Errorf(rpcerr.CodeInvalidArgument, "result %T is not a protobuf body", resp)
		}
		if err := proto.Unmarshal(body, r.MessageToDecode()); err != nil {
			return replyBroken, decodeError(ri, "result", err)
		}
		return status, nil
	case protobuf.EXCEPTION:
		e, err := protobuf.DecodeErrorProto(body)
		if err != nil {
			return replyBroken, decodeError(ri, "exception", err)
		}
		return exceptionStatus(status), replyError(m, e.TypeID, e.Message)
	}
	return replyBroken, messageTypeError(int(typ))
}

// reservedReplyKey reports whether a reply's string header key belongs to the framework rather than to
// backward metainfo (which Kitex sends under bare keys).
func reservedReplyKey(k []byte) bool {
	switch string(k) {
	case ttheader.KeyConnResetFlag, ttheader.KeyErrorCode, ttheader.KeyBizStatus, ttheader.KeyBizMessage, ttheader.KeyBizExtra,
		ttheader.KeyCRC32C, ttheader.KeyRemoteAddr, ttheader.KeyIDLServiceName:
		return true
	}
	return false
}

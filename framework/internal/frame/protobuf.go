package frame

import (
	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/framework/codec/protobuf"
	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// WriteProtobuf writes one Kitex Protobuf message carrying body in the framing proto, which must include
// Framed (Kitex Protobuf is always framed), and flushes it. Otherwise it works as Write.
func WriteProtobuf(w transport.Writer, proto transport.Protocol, h *ttheader.Header, name string,
	typ protobuf.MessageType, seq int32, body proto.Message, maxSize int,
) error {
	msgLen := protobuf.MessageSize(name, body)
	b, off, err := begin(w, proto|transport.Framed, h, seq, msgLen, maxSize)
	if err != nil {
		return err
	}
	n, err := protobuf.EncodeMessage(b[off:], name, typ, seq, body)
	if err != nil {
		return protocolErr("encode %s: %v", name, err)
	}
	if off+n != len(b) {
		return sizeMismatch(name, off+n, len(b))
	}
	return w.Flush()
}

// WriteProtobufException writes a Kitex Protobuf EXCEPTION message carrying e, as WriteProtobuf does.
func WriteProtobufException(w transport.Writer, proto transport.Protocol, h *ttheader.Header, name string,
	seq int32, e *protobuf.ErrorProto, maxSize int,
) error {
	msgLen := protobuf.HeaderSize(name) + e.Size()
	b, off, err := begin(w, proto|transport.Framed, h, seq, msgLen, maxSize)
	if err != nil {
		return err
	}
	n := protobuf.EncodeHeader(b[off:], name, protobuf.EXCEPTION, seq)
	if n += e.Encode(b[off+n:]); off+n != len(b) {
		return sizeMismatch(name, off+n, len(b))
	}
	return w.Flush()
}

// SeqID returns the sequence id in the message's payload header, in whichever codec it is.
func (m *Message) SeqID() (int32, error) {
	if m.Codec == serviceinfo.Protobuf {
		_, _, seq, _, err := protobuf.DecodeHeader(m.Payload)
		return seq, err
	}
	_, _, seq, _, err := thrift.ReadMessageBegin(m.Payload)
	return seq, err
}

package server

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/framework/codec/protobuf"
	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/serviceinfo"
)

// readMessageBegin reads the message header of a request in either codec: the method name, the
// message type (Kitex Protobuf numbers its types as Thrift does), the sequence id and the body.
func readMessageBegin(m *frame.Message) (name []byte, typ thrift.MessageType, seq int32, body []byte, err error) {
	if m.Codec == serviceinfo.Protobuf {
		name, ptyp, seq, n, err := protobuf.DecodeHeader(m.Payload)
		if err != nil {
			return nil, 0, 0, nil, err
		}
		return name, thrift.MessageType(ptyp), seq, m.Payload[n:], nil
	}
	name, typ, seq, n, err := thrift.ReadMessageBegin(m.Payload)
	if err != nil {
		return nil, 0, 0, nil, err
	}
	return name, typ, seq, m.Payload[n:], nil
}

// decodeArgs decodes a request body into args, a generated argument value of the codec.
func decodeArgs(codec serviceinfo.PayloadCodec, body []byte, args any) error {
	if codec == serviceinfo.Protobuf {
		b, ok := args.(protobuf.Body)
		if !ok {
			return fmt.Errorf("arguments %T are not a protobuf body", args)
		}
		return proto.Unmarshal(body, b.MessageToDecode())
	}
	m, ok := args.(thrift.Message)
	if !ok {
		return fmt.Errorf("arguments %T are not a Thrift message", args)
	}
	_, err := m.FastRead(body)
	return err
}

func codecName(c serviceinfo.PayloadCodec) string {
	if c == serviceinfo.Protobuf {
		return "Kitex Protobuf"
	}
	return "Thrift"
}

package protobuf

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Exception type ids, shared with Thrift's TApplicationException (codec/thrift) and Kitex.
const (
	UnknownError       int32 = 0  // UnknownError is an unclassified failure.
	UnknownMethod      int32 = 1  // UnknownMethod means the service has no such method.
	InvalidMessageType int32 = 2  // InvalidMessageType means the message type was unexpected.
	WrongMethodName    int32 = 3  // WrongMethodName means the reply names another method.
	BadSequenceID      int32 = 4  // BadSequenceID means the reply's sequence id does not match.
	MissingResult      int32 = 5  // MissingResult means the reply had no result.
	InternalError      int32 = 6  // InternalError means the handler or server failed.
	ProtocolError      int32 = 7  // ProtocolError means the request could not be decoded.
	UnknownService     int32 = 20 // UnknownService is Kitex's answer to an unknown service or method.
	NoServiceName      int32 = 21 // NoServiceName is Kitex's answer to a request without a service name.
)

// ErrorProto field numbers (kitex pkg/remote/codec/protobuf/error.proto).
const (
	fieldTypeID  protowire.Number = 1
	fieldMessage protowire.Number = 2
)

// ErrorProto is Kitex's ErrorProto {int32 TypeID = 1; string Message = 2}, the body of an
// EXCEPTION message. It is an error.
type ErrorProto struct {
	TypeID  int32
	Message string
}

// NewErrorProto returns an ErrorProto; invalid UTF-8 in msg is replaced, since proto3 strings must
// be valid UTF-8 and Kitex would refuse to decode it.
func NewErrorProto(typeID int32, msg string) *ErrorProto {
	return &ErrorProto{TypeID: typeID, Message: strings.ToValidUTF8(msg, "\uFFFD")}
}

// Error returns the message, as Kitex's pbError does, or a description of the type when it is empty.
func (e *ErrorProto) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return fmt.Sprintf("protobuf: exception type %d", e.TypeID)
}

// Size returns the encoded size of e; proto3 omits zero values.
func (e *ErrorProto) Size() int {
	n := 0
	if e.TypeID != 0 {
		n += protowire.SizeTag(fieldTypeID) + protowire.SizeVarint(uint64(int64(e.TypeID)))
	}
	if e.Message != "" {
		n += protowire.SizeTag(fieldMessage) + protowire.SizeBytes(len(e.Message))
	}
	return n
}

// Encode writes e at b[0:] and returns e.Size(). b must have room.
func (e *ErrorProto) Encode(b []byte) int {
	return len(e.Append(b[:0:len(b)]))
}

// Append appends the encoding of e to dst. A negative TypeID is a ten-byte varint, as in any proto
// int32.
func (e *ErrorProto) Append(dst []byte) []byte {
	if e.TypeID != 0 {
		dst = protowire.AppendTag(dst, fieldTypeID, protowire.VarintType)
		dst = protowire.AppendVarint(dst, uint64(int64(e.TypeID)))
	}
	if e.Message != "" {
		dst = protowire.AppendTag(dst, fieldMessage, protowire.BytesType)
		dst = protowire.AppendString(dst, e.Message)
	}
	return dst
}

// DecodeErrorProto decodes an ErrorProto from all of b. Unknown fields, and known fields with another
// wire type, are skipped as proto.Unmarshal would; the last occurrence of a field wins. Malformed
// protobuf and a Message that is not valid UTF-8 are ErrInvalidData.
func DecodeErrorProto(b []byte) (*ErrorProto, error) {
	e := &ErrorProto{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, wireError("tag", n)
		}
		if num > protowire.MaxValidNumber {
			return nil, fmt.Errorf("%w: ErrorProto field number %d out of range", ErrInvalidData, num)
		}
		b = b[n:]
		switch {
		case num == fieldTypeID && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return nil, wireError("TypeID", n)
			}
			e.TypeID, b = int32(v), b[n:]
		case num == fieldMessage && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, wireError("Message", n)
			}
			if !utf8.Valid(v) {
				return nil, fmt.Errorf("%w: ErrorProto.Message is not valid UTF-8", ErrInvalidData)
			}
			e.Message, b = string(v), b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return nil, wireError("unknown field", n)
			}
			b = b[n:]
		}
	}
	return e, nil
}

func wireError(what string, n int) error {
	return fmt.Errorf("%w: ErrorProto %s: %v", ErrInvalidData, what, protowire.ParseError(n))
}

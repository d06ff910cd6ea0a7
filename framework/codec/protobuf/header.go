package protobuf

import (
	"encoding/binary"
	"strconv"
)

// Magic is the high half of a Kitex Protobuf message's first word; the low byte is the message type.
const Magic = 0x90010000

// MagicMask selects the version bits of the first word.
const MagicMask = 0xffff0000

// MessageType is the kind of a Kitex Protobuf message, carried in the low byte of the first word. The
// values are Thrift's.
type MessageType uint8

// Message types.
const (
	CALL      MessageType = 1 // CALL is a request that expects a REPLY or an EXCEPTION.
	REPLY     MessageType = 2 // REPLY carries the response message.
	EXCEPTION MessageType = 3 // EXCEPTION carries an ErrorProto in answer to a CALL.
	ONEWAY    MessageType = 4 // ONEWAY is a request that is never answered.
)

// String returns the type's name ("CALL", "REPLY"...), or "MessageType(n)".
func (t MessageType) String() string {
	switch t {
	case CALL:
		return "CALL"
	case REPLY:
		return "REPLY"
	case EXCEPTION:
		return "EXCEPTION"
	case ONEWAY:
		return "ONEWAY"
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// fixedHeaderLen is the header without the method name: magic and type, name length, sequence id.
const fixedHeaderLen = 12

// HeaderSize returns the encoded size of a header for method: 12 bytes and the name.
func HeaderSize(method string) int { return fixedHeaderLen + len(method) }

// EncodeHeader writes a header at b[0:] and returns HeaderSize(method). b must have room; writing past
// its end panics like any slice index. Kitex refuses an empty method name: the caller must not send one.
func EncodeHeader(b []byte, method string, typ MessageType, seq int32) int {
	_ = b[HeaderSize(method)-1]
	binary.BigEndian.PutUint32(b, Magic|uint32(typ))
	binary.BigEndian.PutUint32(b[4:], uint32(len(method)))
	n := 8 + copy(b[8:], method)
	binary.BigEndian.PutUint32(b[n:], uint32(seq))
	return n + 4
}

// DecodeHeader reads a header at b[0:] and returns the method name as a sub-slice of b (no copy), the
// message type, the sequence id and the header's length; the body is b[n:]. The type is returned as
// found, so a server can answer an unknown one. A first word without the 0x9001 magic, a non-zero
// third byte or an empty name is ErrInvalidData; a name longer than the bytes left is ErrTruncated.
func DecodeHeader(b []byte) (method []byte, typ MessageType, seq int32, n int, err error) {
	if len(b) > 0 && b[0] != 0x90 || len(b) > 1 && b[1] != 0x01 || len(b) > 2 && b[2] != 0 {
		return nil, 0, 0, 0, magicError(b)
	}
	if len(b) < 8 {
		return nil, 0, 0, 0, errShortHeader
	}
	l := binary.BigEndian.Uint32(b[4:])
	switch {
	case l == 0:
		return nil, 0, 0, 0, errEmptyMethod
	case uint64(l)+fixedHeaderLen > uint64(len(b)):
		return nil, 0, 0, 0, lengthError(l, len(b)-8)
	}
	end := 8 + int(l)
	return b[8:end:end], MessageType(b[3]), int32(binary.BigEndian.Uint32(b[end:])), end + 4, nil
}

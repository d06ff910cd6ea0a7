// Package framed reads and writes the Framed transport's length prefix.
//
// Framed Thrift is a u32 big-endian length, which does not count itself, followed by that many bytes of
// message: a strict Thrift binary message (first word 0x8001000t), or a Kitex Protobuf message (first
// word 0x9001000t). Kitex Protobuf is always framed: Kitex refuses to write it unframed ("protobuf just
// support 'framed' trans proto"), both bare and as the payload of TTHeader (TTHeaderFramed). Kitex's
// default client transport is Framed; Kitex finds the length by peeking 8 bytes and seeing the Thrift or
// Protobuf magic in bytes 4–7 (kitex v0.16.3 pkg/remote/codec/default_codec.go, checkPayload and
// EncodePayload), and by default it sets no limit on the length.
//
// Tern treats the length as an int32, as Apache Thrift's TFramedTransport does: PayloadLen rejects
// lengths over math.MaxInt32, which also keeps a length from being mistaken for a Thrift version word.
package framed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// HeaderLen is the size of the length prefix.
const HeaderLen = 4

// MaxPayloadLen is the largest length PayloadLen accepts and WriteHeader writes.
const MaxPayloadLen = math.MaxInt32

// ErrInvalidLength is wrapped by every error PayloadLen returns.
var ErrInvalidLength = errors.New("framed: invalid length")

// WriteHeader writes the length prefix for a payloadLen-byte message at the start of b and returns
// HeaderLen. It panics if b is shorter than HeaderLen or payloadLen is outside [0, MaxPayloadLen].
func WriteHeader(b []byte, payloadLen int) int {
	if payloadLen < 0 || payloadLen > MaxPayloadLen {
		panic(fmt.Sprintf("framed: WriteHeader: payload length %d out of range [0, %d]", payloadLen, MaxPayloadLen))
	}
	binary.BigEndian.PutUint32(b[:HeaderLen], uint32(payloadLen))
	return HeaderLen
}

// PayloadLen reads the length prefix at the start of b: the size of the message that follows it. It
// fails (ErrInvalidLength) when b is shorter than HeaderLen or the length exceeds MaxPayloadLen; the
// caller applies any smaller limit of its own.
func PayloadLen(b []byte) (int, error) {
	if len(b) < HeaderLen {
		return 0, fmt.Errorf("%w: %d bytes, need %d to read the length", ErrInvalidLength, len(b), HeaderLen)
	}
	n := binary.BigEndian.Uint32(b)
	if n > MaxPayloadLen {
		return 0, fmt.Errorf("%w: %d exceeds %d", ErrInvalidLength, n, MaxPayloadLen)
	}
	return int(n), nil
}

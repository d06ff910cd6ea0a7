package transport

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Protocol is a set of flags naming how a message is framed on the wire. TTHeader may be combined with
// Framed (TTHeader+Framed: the TTHeader payload is itself a framed message).
type Protocol uint8

// Transport protocols, the names Kitex users know.
const (
	// Buffered is the bare Thrift message with no length prefix (Kitex's PurePayload).
	Buffered Protocol = 0
	// Framed prefixes the message with its u32 length.
	Framed Protocol = 1 << 0
	// TTHeader wraps the message in a TTHeader frame that carries metadata.
	TTHeader Protocol = 1 << 1
	// TTHeaderFramed is TTHeader whose payload is a framed message.
	TTHeaderFramed = TTHeader | Framed
	// GRPC is gRPC over HTTP/2.
	GRPC Protocol = 1 << 2
)

// String returns the protocol's name as in Kitex ("TTHeader", "Framed", "TTHeaderFramed", "PurePayload"...).
func (p Protocol) String() string {
	switch p {
	case Buffered:
		return "Buffered"
	case Framed:
		return "Framed"
	case TTHeader:
		return "TTHeader"
	case TTHeaderFramed:
		return "TTHeaderFramed"
	case GRPC:
		return "GRPC"
	}
	var names []string
	for _, f := range []Protocol{Framed, TTHeader, GRPC} {
		if p&f != 0 {
			names = append(names, Protocol(f).String())
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("Protocol(%d)", uint8(p))
	}
	return strings.Join(names, "|")
}

// Magic numbers found at the start of messages.
const (
	// ThriftMagic is the high half of a strict Thrift binary message's first word (version 1).
	ThriftMagic uint32 = 0x80010000
	// ProtobufMagic is the high half of a Kitex Protobuf message's first word.
	ProtobufMagic uint32 = 0x90010000
	// TTHeaderMagic is the u16 found at bytes 4–5 of a TTHeader frame.
	TTHeaderMagic uint16 = 0x1000
	// magicMask keeps the high half of a word.
	magicMask uint32 = 0xFFFF0000
)

// HTTP2Preface is the first line an HTTP/2 client sends.
const HTTP2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// PeekLen is how many bytes Detect needs.
const PeekLen = 8

// Kind is what Detect recognised at the start of a message.
type Kind uint8

// Kinds of message start.
const (
	KindUnknown        Kind = iota // not a protocol Tern speaks
	KindTTHeader                   // a TTHeader frame
	KindFramedThrift               // u32 length + strict Thrift binary message
	KindFramedProtobuf             // u32 length + Kitex Protobuf message
	KindBufferedThrift             // a bare strict Thrift binary message
	KindHTTP2                      // the HTTP/2 client preface
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindTTHeader:
		return "TTHeader"
	case KindFramedThrift:
		return "Framed Thrift"
	case KindFramedProtobuf:
		return "Framed Kitex Protobuf"
	case KindBufferedThrift:
		return "Buffered Thrift"
	case KindHTTP2:
		return "HTTP/2"
	}
	return "unknown protocol"
}

// Detect recognises a message from its first PeekLen bytes (fewer gives KindUnknown).
func Detect(b []byte) Kind {
	if len(b) < PeekLen {
		return KindUnknown
	}
	if string(b[:PeekLen]) == HTTP2Preface[:PeekLen] {
		return KindHTTP2
	}
	if binary.BigEndian.Uint16(b[4:6]) == TTHeaderMagic {
		return KindTTHeader
	}
	first := binary.BigEndian.Uint32(b[0:4])
	if first&magicMask == ThriftMagic {
		return KindBufferedThrift
	}
	switch binary.BigEndian.Uint32(b[4:8]) & magicMask {
	case ThriftMagic:
		return KindFramedThrift
	case ProtobufMagic:
		return KindFramedProtobuf
	}
	return KindUnknown
}

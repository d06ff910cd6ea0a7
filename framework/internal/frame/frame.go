// Package frame reads and writes whole messages in every framing Tern's one port speaks: Thrift over
// TTHeader, TTHeader+Framed, Framed and Buffered, and Kitex Protobuf over TTHeader+Framed and Framed. The
// server and the client share it, so a reply always mirrors the framing its request arrived in.
package frame

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/framed"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// DefaultMaxSize is the largest frame accepted when no limit is configured: 16 MiB.
const DefaultMaxSize = 16 << 20

// Message is one message read from a connection. Header values and Payload alias the connection's read
// buffer: they are valid until the reader is released.
type Message struct {
	// Protocol is the framing the message arrived in.
	Protocol transport.Protocol
	// Header is the TTHeader header (empty for other framings).
	Header ttheader.Header
	// Codec is the payload's message protocol: Thrift binary or Kitex Protobuf.
	Codec serviceinfo.PayloadCodec
	// Payload is the message without its framing: a Thrift binary message (message header, then the
	// struct) or a Kitex Protobuf message (header, then the protobuf body).
	Payload []byte
	// Size is the number of bytes the message took on the wire.
	Size int
}

// ErrProtocol is wrapped by errors about bytes that are not a message Tern understands.
var ErrProtocol = errors.New("protocol error")

func protocolErr(format string, args ...any) error {
	return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "%w: "+format, append([]any{ErrProtocol}, args...)...).
		WithExceptionType(rpcerr.ExceptionProtocolError)
}

func tooLarge(size, max int) error {
	return rpcerr.Errorf(rpcerr.CodeResourceExhausted, "frame of %d bytes exceeds the limit of %d bytes", size, max)
}

// Read reads the next message from r into m, detecting its framing; maxSize bounds its size (a larger
// length prefix fails before anything is read past it). Errors from r are returned as they are; anything
// malformed gives an *rpcerr.Error wrapping ErrProtocol, an oversized frame one with
// CodeResourceExhausted.
func Read(r transport.Reader, maxSize int, m *Message) error {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	m.Header.Reset()
	m.Payload, m.Codec = nil, serviceinfo.Thrift
	head, err := r.Peek(transport.PeekLen)
	if err != nil {
		return err
	}
	switch kind := transport.Detect(head); kind {
	case transport.KindTTHeader:
		return readTTHeader(r, head, maxSize, m)
	case transport.KindFramedThrift, transport.KindFramedProtobuf:
		if kind == transport.KindFramedProtobuf {
			m.Codec = serviceinfo.Protobuf
		}
		n, err := framed.PayloadLen(head)
		if err != nil {
			return protocolErr("%v", err)
		}
		if n+framed.HeaderLen > maxSize {
			return tooLarge(n+framed.HeaderLen, maxSize)
		}
		b, err := r.Next(framed.HeaderLen + n)
		if err != nil {
			return err
		}
		m.Protocol, m.Payload, m.Size = transport.Framed, b[framed.HeaderLen:], len(b)
		return nil
	case transport.KindBufferedThrift:
		return readBuffered(r, maxSize, m)
	default:
		return protocolErr("%s (first bytes % x)", kind, head)
	}
}

func readTTHeader(r transport.Reader, head []byte, maxSize int, m *Message) error {
	size := int(binary.BigEndian.Uint32(head)) + 4
	if size > maxSize {
		return tooLarge(size, maxSize)
	}
	if _, err := ttheader.FrameLength(head); err != nil {
		return protocolErr("%v", err)
	}
	b, err := r.Next(size)
	if err != nil {
		return err
	}
	off, err := ttheader.DecodeHeader(b, &m.Header)
	if err != nil {
		return protocolErr("%v", err)
	}
	payload := b[off:]
	m.Size = size
	switch {
	case len(payload) >= 4 && binary.BigEndian.Uint32(payload)&0xFFFF0000 == transport.ThriftMagic:
		m.Protocol, m.Payload = transport.TTHeader, payload
	case len(payload) >= 8 && framedMagic(payload[4:]):
		if binary.BigEndian.Uint32(payload[4:])&0xFFFF0000 == transport.ProtobufMagic {
			m.Codec = serviceinfo.Protobuf
		}
		n, err := framed.PayloadLen(payload)
		if err != nil || n != len(payload)-framed.HeaderLen {
			return protocolErr("TTHeader framed payload declares %d bytes, carries %d", n, len(payload)-framed.HeaderLen)
		}
		m.Protocol, m.Payload = transport.TTHeaderFramed, payload[framed.HeaderLen:]
	default:
		return protocolErr("TTHeader payload is neither a Thrift binary nor a framed Kitex Protobuf message")
	}
	return nil
}

// framedMagic reports whether b starts with the first word of a Thrift binary or Kitex Protobuf message.
func framedMagic(b []byte) bool {
	magic := binary.BigEndian.Uint32(b) & 0xFFFF0000
	return magic == transport.ThriftMagic || magic == transport.ProtobufMagic
}

// readBuffered finds the end of an unframed message by skip-decoding it, reading more as it arrives.
func readBuffered(r transport.Reader, maxSize int, m *Message) error {
	want := max(r.Len(), transport.PeekLen)
	for {
		b, err := r.Peek(want)
		if err != nil {
			return err
		}
		n, err := thrift.MessageLengthLimit(b, maxSize)
		switch {
		case err == nil:
			b, err = r.Next(n)
			if err != nil {
				return err
			}
			m.Protocol, m.Payload, m.Size = transport.Buffered, b, n
			return nil
		case errors.Is(err, thrift.ErrSizeLimit):
			return rpcerr.Errorf(rpcerr.CodeResourceExhausted, "buffered message exceeds the limit of %d bytes: %v", maxSize, err)
		case !errors.Is(err, thrift.ErrTruncated):
			return protocolErr("%v", err)
		}
		// Incomplete: wait for at least one more byte, or take all that has arrived meanwhile.
		want = max(r.Len(), want+1)
	}
}

// Size returns the bytes Write needs for a message.
func Size(proto transport.Protocol, h *ttheader.Header, name string, body thrift.Message) int {
	n := thrift.MessageSize(name, body)
	if proto&transport.Framed != 0 {
		n += framed.HeaderLen
	}
	if proto&transport.TTHeader != 0 {
		n += h.Size()
	}
	return n
}

// Write writes one Thrift message in the framing proto and flushes it. h is the TTHeader header (ignored
// for other framings; its SeqID is set to seq). A message larger than maxSize is refused before anything
// is written.
func Write(w transport.Writer, proto transport.Protocol, h *ttheader.Header, name string,
	typ thrift.MessageType, seq int32, body thrift.Message, maxSize int,
) error {
	msgLen := thrift.MessageSize(name, body)
	b, off, err := begin(w, proto, h, seq, msgLen, maxSize)
	if err != nil {
		return err
	}
	if n := thrift.EncodeMessage(b[off:], name, typ, seq, body); off+n != len(b) {
		return sizeMismatch(name, off+n, len(b))
	}
	return w.Flush()
}

// begin allocates room on w for a message of msgLen bytes in the framing proto, writes the framing in
// front of it and returns the buffer and where the message goes.
func begin(w transport.Writer, proto transport.Protocol, h *ttheader.Header, seq int32, msgLen, maxSize int) ([]byte, int, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	payloadLen := msgLen
	if proto&transport.Framed != 0 {
		payloadLen += framed.HeaderLen
	}
	total := payloadLen
	if proto&transport.TTHeader != 0 {
		h.SeqID = seq
		total += h.Size()
	}
	if total > maxSize {
		return nil, 0, tooLarge(total, maxSize)
	}
	b, err := w.Malloc(total)
	if err != nil {
		return nil, 0, err
	}
	off := 0
	if proto&transport.TTHeader != 0 {
		off += ttheader.EncodeHeader(b, h, payloadLen)
	}
	if proto&transport.Framed != 0 {
		off += framed.WriteHeader(b[off:], msgLen)
	}
	return b, off, nil
}

func sizeMismatch(name string, wrote, want int) error {
	return rpcerr.New(rpcerr.CodeInternal, fmt.Sprintf("encoding %s wrote %d bytes, its size said %d", name, wrote, want))
}

package kitexpeer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	gthrift "github.com/cloudwego/gopkg/protocol/thrift"
)

// Frame is one decoded message as it was on the wire. It is an independent decoder, written from the
// TTHeader and Thrift specifications, for asserting on what Kitex and Tern send.
type Frame struct {
	Variant Variant

	// TTHeader fields, for the TTHeader variants only.
	Flags      uint16
	HeaderSeq  int32
	HeaderSize uint16 // header-info length in 4-byte words
	ProtocolID uint8
	Transforms []uint8
	IntKV      map[uint16]string
	StrKV      map[string]string
	ACLToken   string // block 0x11; Kitex writes string key "gdpr-token" there
	Padding    int    // zero bytes after the info blocks

	// Protobuf is set for a Kitex Protobuf message (magic 0x9001), whose body is protobuf bytes.
	Protobuf bool

	// The Thrift or Kitex Protobuf message.
	Method  string
	MsgType gthrift.TMessageType
	SeqID   int32
	Body    []byte // the args or result struct, or the TApplicationException
}

// ErrShort means the bytes hold less than one whole message.
var ErrShort = errors.New("kitexpeer: incomplete message")

// DecodeFrame decodes exactly one message (any variant) that fills b.
func DecodeFrame(b []byte) (*Frame, error) {
	n, ok := MessageLen(b)
	if !ok {
		return nil, ErrShort
	}
	if n != len(b) {
		return nil, fmt.Errorf("kitexpeer: %d bytes follow the message", len(b)-n)
	}
	f := &Frame{}
	switch {
	case binary.BigEndian.Uint32(b)&0xFFFF0000 == 0x80010000:
		f.Variant = Buffered
		return f, f.decodeThrift(b)
	case binary.BigEndian.Uint16(b[4:6]) == 0x1000:
		return f, f.decodeTTHeader(b[4:])
	default:
		f.Variant = Framed
		return f, f.decodePayload(b[4:])
	}
}

// decodePayload decodes a framed message: Kitex Protobuf or Thrift.
func (f *Frame) decodePayload(b []byte) error {
	if len(b) >= 4 && binary.BigEndian.Uint32(b)&0xFFFF0000 == 0x90010000 {
		return f.decodeProtobuf(b)
	}
	return f.decodeThrift(b)
}

// decodeProtobuf decodes a Kitex Protobuf message: u32 0x9001000t, u32 length + method, u32 seq id,
// protobuf bytes to the end.
func (f *Frame) decodeProtobuf(b []byte) error {
	r := &reader{b: b}
	word := binary.BigEndian.Uint32(r.take(4))
	name := string(r.take(int(binary.BigEndian.Uint32(r.take(4)))))
	seq := int32(binary.BigEndian.Uint32(r.take(4)))
	if r.err != nil {
		return r.err
	}
	f.Protobuf, f.Method, f.MsgType, f.SeqID, f.Body = true, name, gthrift.TMessageType(word&0xFFFF), seq, r.b
	return nil
}

func (f *Frame) decodeTTHeader(b []byte) error {
	if len(b) < 10 {
		return ErrShort
	}
	f.Flags = binary.BigEndian.Uint16(b[2:4])
	f.HeaderSeq = int32(binary.BigEndian.Uint32(b[4:8]))
	f.HeaderSize = binary.BigEndian.Uint16(b[8:10])
	end := 10 + 4*int(f.HeaderSize)
	if len(b) < end {
		return fmt.Errorf("kitexpeer: header size %d words overruns the frame", f.HeaderSize)
	}
	r := &reader{b: b[10:end]}
	f.ProtocolID = r.u8()
	for range int(r.u8()) {
		f.Transforms = append(f.Transforms, r.u8())
	}
	f.IntKV, f.StrKV = map[uint16]string{}, map[string]string{}
	for r.err == nil && len(r.b) > 0 {
		switch id := r.u8(); id {
		case 0x00: // padding runs to the end
			f.Padding = 1 + len(r.b)
			if strings.Trim(string(r.b), "\x00") != "" {
				return errors.New("kitexpeer: non-zero padding")
			}
			r.b = nil
		case 0x01:
			for range int(r.u16()) {
				k := r.str()
				f.StrKV[k] = r.str()
			}
		case 0x10:
			for range int(r.u16()) {
				k := r.u16()
				f.IntKV[k] = r.str()
			}
		case 0x11:
			f.ACLToken = r.str()
		default:
			return fmt.Errorf("kitexpeer: unknown header info block 0x%02x", id)
		}
	}
	if r.err != nil {
		return r.err
	}
	payload := b[end:]
	if len(payload) >= 8 && binary.BigEndian.Uint32(payload)&0xFFFF0000 != 0x80010000 {
		f.Variant = TTHeaderFramed
		if int(binary.BigEndian.Uint32(payload))+4 != len(payload) {
			return errors.New("kitexpeer: framed payload length does not match the TTHeader frame")
		}
		return f.decodePayload(payload[4:])
	}
	f.Variant = TTHeader
	return f.decodeThrift(payload)
}

func (f *Frame) decodeThrift(b []byte) error {
	name, typ, seq, l, err := gthrift.Binary.ReadMessageBegin(b)
	if err != nil {
		return err
	}
	f.Method, f.MsgType, f.SeqID = name, typ, seq
	f.Body = b[l:]
	d := gthrift.NewBytesSkipDecoder(f.Body)
	defer d.Release()
	body, err := d.Next(gthrift.STRUCT)
	if err != nil {
		return err
	}
	if len(body) != len(f.Body) {
		return fmt.Errorf("kitexpeer: %d bytes after the message body", len(f.Body)-len(body))
	}
	return nil
}

// String renders the frame with sorted keys, so two frames that differ only in header key order or
// sequence id print alike when seq is false.
func (f *Frame) String() string { return f.format(true) }

// Canonical is String without sequence ids: what must stay equal between two captures of one call.
func (f *Frame) Canonical() string { return f.format(false) }

func (f *Frame) format(seq bool) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s", f.Variant)
	if f.Variant.HasTTHeader() {
		fmt.Fprintf(&s, " flags=0x%04x", f.Flags)
		if seq {
			fmt.Fprintf(&s, " hseq=%d", f.HeaderSeq)
		}
		fmt.Fprintf(&s, " hsize=%d proto=%d transforms=%v int{", f.HeaderSize, f.ProtocolID, f.Transforms)
		for _, k := range slices.Sorted(maps.Keys(f.IntKV)) {
			fmt.Fprintf(&s, " %d=%q", k, f.IntKV[k])
		}
		s.WriteString(" } str{")
		for _, k := range slices.Sorted(maps.Keys(f.StrKV)) {
			fmt.Fprintf(&s, " %q=%q", k, f.StrKV[k])
		}
		s.WriteString(" }")
		if f.ACLToken != "" {
			fmt.Fprintf(&s, " acl=%q", f.ACLToken)
		}
		fmt.Fprintf(&s, " pad=%d", f.Padding)
	}
	s.WriteString(" |")
	if f.Protobuf {
		s.WriteString(" protobuf")
	}
	fmt.Fprintf(&s, " %s type=%d", f.Method, f.MsgType)
	if seq {
		fmt.Fprintf(&s, " seq=%d", f.SeqID)
	}
	fmt.Fprintf(&s, " body=%x", f.Body)
	return s.String()
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = errors.New("kitexpeer: header info truncated")
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8   { return r.take(1)[0] }
func (r *reader) u16() uint16 { return binary.BigEndian.Uint16(r.take(2)) }
func (r *reader) str() string { return string(r.take(int(r.u16()))) }

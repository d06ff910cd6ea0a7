package ttheader

import (
	"errors"
	"fmt"
	"unsafe"
)

// Errors. Every error this package returns wraps exactly one of them, with a message saying what was
// wrong; test with errors.Is.
var (
	// ErrInvalidFrame means the bytes are not a well-formed TTHeader frame.
	ErrInvalidFrame = errors.New("ttheader: invalid frame")
	// ErrUnsupported means a well-formed frame uses something Tern does not speak (transforms, or a
	// PROTOCOL_ID Kitex rejects).
	ErrUnsupported = errors.New("ttheader: unsupported")
	// ErrHeaderTooLarge means a Header cannot be encoded: a key, value, token or count over 65535, or
	// header info over MaxHeaderSize.
	ErrHeaderTooLarge = errors.New("ttheader: header too large")
)

// IntKV is one entry of the int KV block.
type IntKV struct {
	Key   IntKey
	Value []byte
}

// StrKV is one entry of the string KV block.
type StrKV struct {
	Key, Value []byte
}

// Header is a TTHeader frame's header. The zero value is an empty header for Thrift binary.
//
// The byte slices alias other memory and are only read by EncodeHeader: after DecodeHeader they point
// into the decoded frame, after SetInt and SetStr into the strings given (never modify them). Copy what
// must outlive that memory. A Header is not safe for concurrent use; reuse one per connection or pool it
// so that Ints and Strs keep their capacity and decoding allocates nothing.
type Header struct {
	// Flags is the FLAGS field (see FlagSupportOutOfOrder ...).
	Flags uint16
	// SeqID is the SEQID field; Kitex writes the payload's seq id.
	SeqID int32
	// ProtocolID is the PROTOCOL_ID field; Kitex writes ProtocolIDDefault for every payload.
	ProtocolID uint8
	// Ints is the int KV block, in wire order; written only when non-empty.
	Ints []IntKV
	// Strs is the string KV block, in wire order; written only when non-empty.
	Strs []StrKV
	// Token is the ACL token block; written when non-nil (an empty non-nil token is an empty block).
	// Kitex exposes it as the transient metainfo key KeyGDPRToken.
	Token []byte
}

// Reset empties h, keeping the capacity of Ints and Strs. It drops the references h held so that the
// memory they point into can be reused.
func (h *Header) Reset() {
	// Field by field rather than *h = Header{...}: reslicing a slice into itself only writes its length,
	// and an empty header (the common case, reset again by the next user) writes no pointer at all, so
	// no write barrier runs while the GC is marking.
	if len(h.Ints) > 0 {
		clear(h.Ints)
		h.Ints = h.Ints[:0]
	}
	if len(h.Strs) > 0 {
		clear(h.Strs)
		h.Strs = h.Strs[:0]
	}
	if h.Token != nil {
		h.Token = nil
	}
	h.Flags, h.SeqID, h.ProtocolID = 0, 0, 0
}

// bytesOf returns s's bytes without copying; they must never be written.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// SetInt sets int key k to v, replacing the last entry with key k or else appending one. The value
// aliases v's bytes (no copy, no allocation unless Ints must grow).
func (h *Header) SetInt(k IntKey, v string) {
	for i := len(h.Ints) - 1; i >= 0; i-- {
		if h.Ints[i].Key == k {
			h.Ints[i].Value = bytesOf(v)
			return
		}
	}
	h.Ints = append(h.Ints, IntKV{Key: k, Value: bytesOf(v)})
}

// SetStr sets string key k to v, replacing the last entry with key k or else appending one. Key and
// value alias the strings' bytes (no copy, no allocation unless Strs must grow).
func (h *Header) SetStr(k, v string) {
	for i := len(h.Strs) - 1; i >= 0; i-- {
		if string(h.Strs[i].Key) == k {
			h.Strs[i].Value = bytesOf(v)
			return
		}
	}
	h.Strs = append(h.Strs, StrKV{Key: bytesOf(k), Value: bytesOf(v)})
}

// Int returns the value of int key k. When k appears more than once the last one wins, as in Kitex.
func (h *Header) Int(k IntKey) ([]byte, bool) {
	for i := len(h.Ints) - 1; i >= 0; i-- {
		if h.Ints[i].Key == k {
			return h.Ints[i].Value, true
		}
	}
	return nil, false
}

// Str returns the value of string key k. When k appears more than once the last one wins, as in Kitex.
func (h *Header) Str(k string) ([]byte, bool) {
	for i := len(h.Strs) - 1; i >= 0; i-- {
		if string(h.Strs[i].Key) == k {
			return h.Strs[i].Value, true
		}
	}
	return nil, false
}

// infoSize is the size of the header info without padding. lengths is the bitwise OR of every key,
// value and token length and of the entry counts, so lengths > maxLen16 means one of them is too long.
func (h *Header) infoSize() (size, lengths int) {
	size = 2 // PROTOCOL_ID, NUM_TRANSFORMS
	if h.Token != nil {
		size += 3 + len(h.Token)
		lengths = len(h.Token)
	}
	if len(h.Strs) > 0 {
		size += 3
		lengths |= len(h.Strs)
		for i := range h.Strs {
			k, v := len(h.Strs[i].Key), len(h.Strs[i].Value)
			size += 4 + k + v
			lengths |= k | v
		}
	}
	if len(h.Ints) > 0 {
		size += 3
		lengths |= len(h.Ints)
		for i := range h.Ints {
			size += 4 + len(h.Ints[i].Value)
			lengths |= len(h.Ints[i].Value)
		}
	}
	return size, lengths
}

// padded rounds n up to a multiple of 4.
func padded(n int) int { return (n + 3) &^ 3 }

// Size returns how many bytes EncodeHeader writes for h: the 14-byte fixed part (LENGTH included), the
// header info and its padding.
func (h *Header) Size() int {
	n, _ := h.infoSize()
	return MetaSize + padded(n)
}

// Validate reports whether EncodeHeader can encode h: every key, value and the token at most 65535
// bytes, at most 65535 entries per block, header info at most MaxHeaderSize bytes, and a PROTOCOL_ID
// that Kitex (and DecodeHeader) accept. It allocates only when it fails. Call it before EncodeHeader when
// the header holds values from outside the program, such as user metainfo.
func (h *Header) Validate() error {
	if !validProtocolID(h.ProtocolID) {
		return fmt.Errorf("%w: protocol id %#02x is not one Kitex accepts", ErrUnsupported, h.ProtocolID)
	}
	if len(h.Token) > maxLen16 {
		return fmt.Errorf("%w: ACL token is %d bytes (max %d)", ErrHeaderTooLarge, len(h.Token), maxLen16)
	}
	if len(h.Strs) > maxLen16 || len(h.Ints) > maxLen16 {
		return fmt.Errorf("%w: %d string and %d int KVs (max %d each)", ErrHeaderTooLarge,
			len(h.Strs), len(h.Ints), maxLen16)
	}
	for i := range h.Strs {
		if len(h.Strs[i].Key) > maxLen16 || len(h.Strs[i].Value) > maxLen16 {
			return fmt.Errorf("%w: string KV %d: key %d bytes, value %d bytes (max %d)", ErrHeaderTooLarge,
				i, len(h.Strs[i].Key), len(h.Strs[i].Value), maxLen16)
		}
	}
	for i := range h.Ints {
		if len(h.Ints[i].Value) > maxLen16 {
			return fmt.Errorf("%w: int KV %d (key %d): value %d bytes (max %d)", ErrHeaderTooLarge,
				i, h.Ints[i].Key, len(h.Ints[i].Value), maxLen16)
		}
	}
	if n, _ := h.infoSize(); padded(n) > MaxHeaderSize {
		return fmt.Errorf("%w: header info is %d bytes (max %d)", ErrHeaderTooLarge, padded(n), MaxHeaderSize)
	}
	return nil
}

package protobuf

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every decoding error this package returns wraps one of them.
var (
	// ErrTruncated means the input ended before the header or a field did. Kitex Protobuf messages are
	// framed, so in a complete frame it means the message is corrupt.
	ErrTruncated = errors.New("protobuf: data truncated")
	// ErrInvalidData means the bytes are not a Kitex Protobuf message or a valid protobuf body: a bad
	// magic, an empty method name, malformed protobuf.
	ErrInvalidData = errors.New("protobuf: invalid data")
	// ErrShortBuffer means EncodeMessage was given a buffer too small for the body.
	ErrShortBuffer = errors.New("protobuf: buffer too small")
)

// Preallocated errors; returning them allocates nothing.
var (
	errShortHeader = fmt.Errorf("%w: header needs at least 12 bytes", ErrTruncated)
	errEmptyMethod = fmt.Errorf("%w: empty method name", ErrInvalidData)
)

func magicError(b []byte) error {
	return fmt.Errorf("%w: first word % x is not Kitex Protobuf (0x9001000t)", ErrInvalidData, b[:min(len(b), 4)])
}

func lengthError(l uint32, remaining int) error {
	return fmt.Errorf("%w: method name length %d exceeds the %d bytes after it (seq id included)",
		ErrTruncated, l, remaining)
}

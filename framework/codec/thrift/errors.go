package thrift

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error this package returns wraps exactly one of them; test with errors.Is.
var (
	// ErrTruncated means the input ended before the value did. More bytes may complete it: a reader
	// of an unframed stream can read more and retry. In a complete buffer it means the data is corrupt.
	ErrTruncated = errors.New("thrift: data truncated")
	// ErrInvalidData means the bytes cannot be Thrift binary protocol: an unknown type, a negative
	// length or size, a non-strict or unknown message version, trailing bytes.
	ErrInvalidData = errors.New("thrift: invalid data")
	// ErrDepthLimit means structs and containers are nested deeper than MaxDepth.
	ErrDepthLimit = errors.New("thrift: nesting depth limit exceeded")
	// ErrSizeLimit means a message is, or declares itself to be, larger than the caller's limit.
	ErrSizeLimit = errors.New("thrift: size limit exceeded")
)

// Preallocated errors for fixed-size values cut short; returning them allocates nothing.
var (
	errShortBool    = truncated("bool needs 1 byte")
	errShortByte    = truncated("byte needs 1 byte")
	errShortI16     = truncated("i16 needs 2 bytes")
	errShortI32     = truncated("i32 needs 4 bytes")
	errShortI64     = truncated("i64 needs 8 bytes")
	errShortDouble  = truncated("double needs 8 bytes")
	errShortLength  = truncated("string length needs 4 bytes")
	errShortField   = truncated("field header needs 3 bytes")
	errShortStop    = truncated("struct ended without a STOP field")
	errShortMap     = truncated("map header needs 6 bytes")
	errShortList    = truncated("list header needs 5 bytes")
	errShortSet     = truncated("set header needs 5 bytes")
	errShortVersion = truncated("message header needs 4 bytes")
	errShortSeqID   = truncated("message sequence id needs 4 bytes")
	errDepth        = &codecError{sentinel: ErrDepthLimit, kind: kindDepth, a: MaxDepth}
)

// shortFixed is the truncation error for each fixed-size type.
var shortFixed = [256]error{
	BOOL: errShortBool, BYTE: errShortByte, I16: errShortI16, I32: errShortI32, I64: errShortI64,
	DOUBLE: errShortDouble,
}

type errKind uint8

const (
	kindText     errKind = iota // what
	kindLength                  // what a exceeds remaining b bytes
	kindCount                   // what a needs at least c bytes, b remain
	kindNegative                // negative what a
	kindType                    // invalid what type a
	kindDepth                   // nesting depth exceeds a
	kindVersion                 // bad message header: b bytes a in hex
	kindLimit                   // message needs at least a bytes, limit b
	kindTrailing                // a trailing bytes after what
)

// codecError is every error this package returns. Its message is built only when Error is called.
type codecError struct {
	sentinel error
	what     string
	a, b, c  int64
	kind     errKind
}

func (e *codecError) Unwrap() error { return e.sentinel }

func (e *codecError) Error() string {
	buf := make([]byte, 0, 112)
	buf = append(buf, "thrift: "...)
	switch e.kind {
	case kindText:
		buf = append(buf, e.what...)
	case kindLength:
		buf = append(append(buf, e.what...), ' ')
		buf = strconv.AppendInt(buf, e.a, 10)
		buf = strconv.AppendInt(append(buf, " exceeds remaining "...), e.b, 10)
		buf = append(buf, " bytes"...)
	case kindCount:
		buf = append(append(buf, e.what...), ' ')
		buf = strconv.AppendInt(buf, e.a, 10)
		buf = strconv.AppendInt(append(buf, " needs at least "...), e.c, 10)
		buf = strconv.AppendInt(append(buf, " bytes, remaining "...), e.b, 10)
	case kindNegative:
		buf = append(append(append(buf, "negative "...), e.what...), ' ')
		buf = strconv.AppendInt(buf, e.a, 10)
	case kindType:
		buf = append(append(append(buf, "invalid "...), e.what...), " type "...)
		buf = strconv.AppendInt(buf, e.a, 10)
	case kindDepth:
		buf = strconv.AppendInt(append(buf, "structs and containers nested deeper than "...), e.a, 10)
	case kindVersion:
		buf = append(buf, "bad message header 0x"...)
		hex := strconv.FormatUint(uint64(e.a), 16)
		for i := len(hex); i < int(e.b)*2; i++ {
			buf = append(buf, '0')
		}
		buf = append(append(buf, hex...), ", want strict binary protocol 0x8001"...)
	case kindLimit:
		buf = strconv.AppendInt(append(buf, "message needs at least "...), e.a, 10)
		buf = strconv.AppendInt(append(buf, " bytes, more than the limit of "...), e.b, 10)
	case kindTrailing:
		buf = strconv.AppendInt(buf, e.a, 10)
		buf = append(append(buf, " trailing bytes after "...), e.what...)
	}
	switch {
	case e.sentinel == ErrTruncated && e.kind == kindText:
		buf = append(buf, ": data truncated"...)
	case e.sentinel == ErrTruncated:
		buf = append(buf, ": data truncated or malformed"...)
	case e.sentinel == ErrInvalidData:
		buf = append(buf, ": data malformed"...)
	}
	return string(buf)
}

func truncated(what string) error {
	return &codecError{sentinel: ErrTruncated, kind: kindText, what: what}
}

// The constructors below run only on failure paths; each allocates the one error value.

func lengthError(what string, length int32, remaining int) error {
	return &codecError{sentinel: ErrTruncated, kind: kindLength, what: what, a: int64(length),
		b: int64(remaining)}
}

func countError(what string, size int32, need int64, remaining int) error {
	return &codecError{sentinel: ErrTruncated, kind: kindCount, what: what, a: int64(size),
		b: int64(remaining), c: need}
}

func negativeError(what string, n int32) error {
	return &codecError{sentinel: ErrInvalidData, kind: kindNegative, what: what, a: int64(n)}
}

func typeError(what string, t TType) error {
	return &codecError{sentinel: ErrInvalidData, kind: kindType, what: what, a: int64(t)}
}

func versionError(b []byte) error {
	var v uint64
	n := min(len(b), 4)
	for _, c := range b[:n] {
		v = v<<8 | uint64(c)
	}
	return &codecError{sentinel: ErrInvalidData, kind: kindVersion, a: int64(v), b: int64(n)}
}

func limitError(need int64, limit int) error {
	return &codecError{sentinel: ErrSizeLimit, kind: kindLimit, a: need, b: int64(limit)}
}

func trailingError(what string, n int) error {
	return &codecError{sentinel: ErrInvalidData, kind: kindTrailing, what: what, a: int64(n)}
}

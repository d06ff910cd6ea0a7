package thrift

import (
	"encoding/binary"
	"math"
)

// Every reader decodes one value from b[0:] and returns it with the number of bytes consumed. On
// error the value is zero, the count is 0 and the error wraps ErrTruncated or ErrInvalidData; readers
// never panic.

// ReadBool reads a one-byte bool; any non-zero byte is true.
func ReadBool(b []byte) (bool, int, error) {
	if len(b) < 1 {
		return false, 0, errShortBool
	}
	return b[0] != 0, 1, nil
}

// ReadByte reads a Thrift byte (i8).
func ReadByte(b []byte) (int8, int, error) {
	if len(b) < 1 {
		return 0, 0, errShortByte
	}
	return int8(b[0]), 1, nil
}

// ReadI16 reads a big-endian i16.
func ReadI16(b []byte) (int16, int, error) {
	if len(b) < 2 {
		return 0, 0, errShortI16
	}
	return int16(binary.BigEndian.Uint16(b)), 2, nil
}

// ReadI32 reads a big-endian i32.
func ReadI32(b []byte) (int32, int, error) {
	if len(b) < 4 {
		return 0, 0, errShortI32
	}
	return int32(binary.BigEndian.Uint32(b)), 4, nil
}

// ReadI64 reads a big-endian i64.
func ReadI64(b []byte) (int64, int, error) {
	if len(b) < 8 {
		return 0, 0, errShortI64
	}
	return int64(binary.BigEndian.Uint64(b)), 8, nil
}

// ReadDouble reads a double from its big-endian IEEE 754 bits.
func ReadDouble(b []byte) (float64, int, error) {
	if len(b) < 8 {
		return 0, 0, errShortDouble
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b)), 8, nil
}

// ReadString reads a length-prefixed string and copies it into a new string (one allocation unless
// the string is empty).
func ReadString(b []byte) (string, int, error) {
	l, err := readLength(b, "string length")
	if err != nil {
		return "", 0, err
	}
	return string(b[4 : 4+l]), 4 + l, nil
}

// ReadBinary reads a length-prefixed binary and copies it into a new, non-nil slice (one allocation
// unless it is empty).
func ReadBinary(b []byte) ([]byte, int, error) {
	l, err := readLength(b, "binary length")
	if err != nil {
		return nil, 0, err
	}
	v := make([]byte, l)
	copy(v, b[4:])
	return v, 4 + l, nil
}

// ReadBinaryNoCopy reads a length-prefixed binary and returns a slice of b itself, capped at its
// length so that appending to it never overwrites b. It is valid only as long as b is.
func ReadBinaryNoCopy(b []byte) ([]byte, int, error) {
	l, err := readLength(b, "binary length")
	if err != nil {
		return nil, 0, err
	}
	return b[4 : 4+l : 4+l], 4 + l, nil
}

// readLength reads the i32 length of a string or binary and checks it against the bytes after it.
func readLength(b []byte, what string) (int, error) {
	if len(b) < 4 {
		return 0, errShortLength
	}
	l := int32(binary.BigEndian.Uint32(b))
	if l < 0 {
		return 0, negativeError(what, l)
	}
	if int(l) > len(b)-4 {
		return 0, lengthError(what, l, len(b)-4)
	}
	return int(l), nil
}

// ReadFieldBegin reads a field header. For the STOP byte that ends a struct it returns t == STOP,
// id 0 and n == 1; otherwise n == 3. A type byte that is not a value type is ErrInvalidData.
func ReadFieldBegin(b []byte) (t TType, id int16, n int, err error) {
	if len(b) < 1 {
		return STOP, 0, 0, errShortStop
	}
	t = TType(b[0])
	if t == STOP {
		return STOP, 0, 1, nil
	}
	if minLength[t] == 0 {
		return STOP, 0, 0, typeError("field", t)
	}
	if len(b) < 3 {
		return STOP, 0, 0, errShortField
	}
	return t, int16(binary.BigEndian.Uint16(b[1:])), 3, nil
}

// ReadMapBegin reads a map header. The size is checked against the bytes after the header, counting
// the smallest possible encoding of each key and value, so it is safe to allocate a map of that size.
func ReadMapBegin(b []byte) (kt, vt TType, size, n int, err error) {
	if len(b) < 6 {
		return STOP, STOP, 0, 0, errShortMap
	}
	kt, vt = TType(b[0]), TType(b[1])
	s := int32(binary.BigEndian.Uint32(b[2:]))
	if s == 0 {
		return kt, vt, 0, 6, nil
	}
	if err := checkMapSize(kt, vt, s, len(b)-6); err != nil {
		return STOP, STOP, 0, 0, err
	}
	return kt, vt, int(s), 6, nil
}

// ReadListBegin reads a list header. The size is checked against the bytes after the header, counting
// the smallest possible encoding of each element, so it is safe to allocate a slice of that size.
func ReadListBegin(b []byte) (et TType, size, n int, err error) {
	if len(b) < 5 {
		return STOP, 0, 0, errShortList
	}
	return readListBegin(b, LIST)
}

// ReadSetBegin reads a set header, checked like a list header.
func ReadSetBegin(b []byte) (et TType, size, n int, err error) {
	if len(b) < 5 {
		return STOP, 0, 0, errShortSet
	}
	return readListBegin(b, SET)
}

func readListBegin(b []byte, kind TType) (TType, int, int, error) {
	et := TType(b[0])
	s := int32(binary.BigEndian.Uint32(b[1:]))
	if s == 0 {
		return et, 0, 5, nil
	}
	if err := checkListSize(kind, et, s, len(b)-5); err != nil {
		return STOP, 0, 0, err
	}
	return et, int(s), 5, nil
}

// checkListSize validates a non-zero size of a list or set (kind) against the remaining bytes.
func checkListSize(kind TType, et TType, size int32, remaining int) error {
	sizeName, elemName := "list size", "list element"
	if kind == SET {
		sizeName, elemName = "set size", "set element"
	}
	if size < 0 {
		return negativeError(sizeName, size)
	}
	w := minLength[et]
	if w == 0 {
		return typeError(elemName, et)
	}
	if need := int64(size) * int64(w); need > int64(remaining) {
		return countError(sizeName, size, need, remaining)
	}
	return nil
}

// checkMapSize validates a non-zero map size against the remaining bytes.
func checkMapSize(kt, vt TType, size int32, remaining int) error {
	if size < 0 {
		return negativeError("map size", size)
	}
	if minLength[kt] == 0 {
		return typeError("map key", kt)
	}
	if minLength[vt] == 0 {
		return typeError("map value", vt)
	}
	if need := int64(size) * int64(minLength[kt]+minLength[vt]); need > int64(remaining) {
		return countError("map size", size, need, remaining)
	}
	return nil
}

// ReadMessageBegin reads a strict message header (version 1) and returns the method name as a slice
// of b (no copy), the message type, the sequence id and the header's length. A non-strict (old-style)
// header or another version is ErrInvalidData. The message type is returned as found, so a server can
// answer an unexpected one with an InvalidMessageType exception.
func ReadMessageBegin(b []byte) (name []byte, typ MessageType, seq int32, n int, err error) {
	if len(b) > 0 && b[0] != 0x80 || len(b) > 1 && b[1] != 0x01 {
		return nil, 0, 0, 0, versionError(b)
	}
	if len(b) < 4 {
		return nil, 0, 0, 0, errShortVersion
	}
	typ = MessageType(b[3])
	l, err := readLength(b[4:], "method name length")
	if err != nil {
		return nil, 0, 0, 0, err
	}
	end := 8 + l
	if len(b)-end < 4 {
		return nil, 0, 0, 0, errShortSeqID
	}
	return b[8:end:end], typ, int32(binary.BigEndian.Uint32(b[end:])), end + 4, nil
}

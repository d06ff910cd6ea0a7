package thrift

import (
	"encoding/binary"
	"math"
)

// Every writer writes one value at b[0:] and returns the number of bytes written. The caller sizes b
// with the …Length constants and functions; a writer given too small a slice panics.

// WriteBool writes v as one byte, 1 for true and 0 for false.
func WriteBool(b []byte, v bool) int {
	if v {
		b[0] = 1
	} else {
		b[0] = 0
	}
	return 1
}

// WriteByte writes v, a Thrift byte (i8).
func WriteByte(b []byte, v int8) int {
	b[0] = byte(v)
	return 1
}

// WriteI16 writes v big-endian in 2 bytes.
func WriteI16(b []byte, v int16) int {
	binary.BigEndian.PutUint16(b, uint16(v))
	return 2
}

// WriteI32 writes v big-endian in 4 bytes.
func WriteI32(b []byte, v int32) int {
	binary.BigEndian.PutUint32(b, uint32(v))
	return 4
}

// WriteI64 writes v big-endian in 8 bytes.
func WriteI64(b []byte, v int64) int {
	binary.BigEndian.PutUint64(b, uint64(v))
	return 8
}

// WriteDouble writes the IEEE 754 bits of v big-endian in 8 bytes.
func WriteDouble(b []byte, v float64) int {
	binary.BigEndian.PutUint64(b, math.Float64bits(v))
	return 8
}

// WriteString writes the length of s as an i32 followed by its bytes; it writes StringLength(s) bytes.
func WriteString(b []byte, s string) int {
	binary.BigEndian.PutUint32(b, uint32(len(s)))
	return 4 + copy(b[4:4+len(s)], s)
}

// WriteBinary writes the length of v as an i32 followed by its bytes; it writes BinaryLength(v) bytes.
func WriteBinary(b []byte, v []byte) int {
	binary.BigEndian.PutUint32(b, uint32(len(v)))
	return 4 + copy(b[4:4+len(v)], v)
}

// WriteFieldBegin writes a field header: the field's type and its id.
func WriteFieldBegin(b []byte, t TType, id int16) int {
	_ = b[2]
	b[0] = byte(t)
	binary.BigEndian.PutUint16(b[1:], uint16(id))
	return 3
}

// WriteFieldStop writes the STOP byte that ends a struct.
func WriteFieldStop(b []byte) int {
	b[0] = byte(STOP)
	return 1
}

// WriteMapBegin writes a map header: key type, value type and the number of entries, which must fit
// in an i32.
func WriteMapBegin(b []byte, kt, vt TType, size int) int {
	_ = b[5]
	b[0] = byte(kt)
	b[1] = byte(vt)
	binary.BigEndian.PutUint32(b[2:], uint32(size))
	return 6
}

// WriteListBegin writes a list header: element type and the number of elements, which must fit in an
// i32.
func WriteListBegin(b []byte, et TType, size int) int {
	_ = b[4]
	b[0] = byte(et)
	binary.BigEndian.PutUint32(b[1:], uint32(size))
	return 5
}

// WriteSetBegin writes a set header; the encoding is the same as a list's.
func WriteSetBegin(b []byte, et TType, size int) int {
	return WriteListBegin(b, et, size)
}

// WriteMessageBegin writes a strict message header: u32 0x80010000|typ, the length-prefixed method
// name and the sequence id. It writes MessageBeginLength(name) bytes.
func WriteMessageBegin(b []byte, name string, typ MessageType, seq int32) int {
	binary.BigEndian.PutUint32(b, strictVersion|uint32(typ))
	n := 4 + WriteString(b[4:], name)
	binary.BigEndian.PutUint32(b[n:], uint32(seq))
	return n + 4
}

// strictVersion is the high half of a strict message header: the sign bit and version 1.
const strictVersion = 0x80010000

package thrift

import "strconv"

// TType is the type tag that precedes a field, a container's elements and a container's keys and
// values on the wire.
type TType uint8

// Thrift wire types. The values are fixed by the protocol.
const (
	STOP   TType = 0  // STOP ends a struct's field list.
	VOID   TType = 1  // VOID is reserved; it never appears as the type of a value.
	BOOL   TType = 2  // BOOL is a one-byte boolean.
	BYTE   TType = 3  // BYTE is a signed 8-bit integer.
	I08    TType = 3  // I08 is another name for BYTE.
	DOUBLE TType = 4  // DOUBLE is an IEEE 754 64-bit float.
	I16    TType = 6  // I16 is a signed 16-bit integer.
	I32    TType = 8  // I32 is a signed 32-bit integer.
	I64    TType = 10 // I64 is a signed 64-bit integer.
	STRING TType = 11 // STRING is a length-prefixed string or binary.
	STRUCT TType = 12 // STRUCT is a sequence of fields ended by STOP.
	MAP    TType = 13 // MAP is a map header followed by key-value pairs.
	SET    TType = 14 // SET is a set header followed by elements.
	LIST   TType = 15 // LIST is a list header followed by elements.
)

var ttypeNames = [...]string{
	STOP: "STOP", VOID: "VOID", BOOL: "BOOL", BYTE: "BYTE", DOUBLE: "DOUBLE", I16: "I16", I32: "I32",
	I64: "I64", STRING: "STRING", STRUCT: "STRUCT", MAP: "MAP", SET: "SET", LIST: "LIST",
}

// String returns the type's name as in the Thrift IDL spec ("I32", "STRUCT"...), or "TType(n)" for a
// value that is not a Thrift type.
func (t TType) String() string {
	if int(t) < len(ttypeNames) && ttypeNames[t] != "" {
		return ttypeNames[t]
	}
	return "TType(" + strconv.Itoa(int(t)) + ")"
}

// fixedLength is the encoded size of each fixed-size type and 0 for every other type.
var fixedLength = [256]uint8{BOOL: 1, BYTE: 1, DOUBLE: 8, I16: 2, I32: 4, I64: 8}

// minLength is the smallest encoding of a value of each type, and 0 for bytes that are not the type of
// a value (STOP, VOID and unassigned numbers).
var minLength = [256]uint8{
	BOOL: 1, BYTE: 1, DOUBLE: 8, I16: 2, I32: 4, I64: 8,
	STRING: 4, STRUCT: 1, MAP: 6, SET: 5, LIST: 5,
}

// MessageType is the kind of a Thrift message, carried in the low byte of the message header.
type MessageType uint8

// Message types. The values are fixed by the protocol.
const (
	CALL      MessageType = 1 // CALL is a request that expects a REPLY or EXCEPTION.
	REPLY     MessageType = 2 // REPLY carries the result struct of a CALL.
	EXCEPTION MessageType = 3 // EXCEPTION carries an ApplicationException in answer to a CALL.
	ONEWAY    MessageType = 4 // ONEWAY is a request that is never answered.
)

// String returns the message type's name ("CALL", "REPLY"...), or "MessageType(n)" for an unknown one.
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

// Encoded sizes of fixed-size values and headers.
const (
	BoolLength       = 1 // BoolLength is the size of an encoded bool.
	ByteLength       = 1 // ByteLength is the size of an encoded byte (i8).
	I16Length        = 2 // I16Length is the size of an encoded i16.
	I32Length        = 4 // I32Length is the size of an encoded i32.
	I64Length        = 8 // I64Length is the size of an encoded i64.
	DoubleLength     = 8 // DoubleLength is the size of an encoded double.
	FieldBeginLength = 3 // FieldBeginLength is the size of a field header: type and id.
	FieldStopLength  = 1 // FieldStopLength is the size of the STOP byte that ends a struct.
	MapBeginLength   = 6 // MapBeginLength is the size of a map header: key type, value type, size.
	ListBeginLength  = 5 // ListBeginLength is the size of a list header: element type, size.
	SetBeginLength   = 5 // SetBeginLength is the size of a set header: element type, size.
)

// StringLength returns the encoded size of s: a 4-byte length and the bytes.
func StringLength(s string) int { return 4 + len(s) }

// BinaryLength returns the encoded size of b: a 4-byte length and the bytes.
func BinaryLength(b []byte) int { return 4 + len(b) }

// MessageBeginLength returns the size of a strict message header for method name: the 4-byte version
// and type, the length-prefixed name and the 4-byte sequence id.
func MessageBeginLength(name string) int { return 12 + len(name) }

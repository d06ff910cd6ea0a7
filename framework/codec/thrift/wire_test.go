package thrift_test

import (
	"bytes"
	"encoding/hex"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
)

// unhex decodes hex with optional spaces and |, panicking on bad test data.
func unhex(s string) []byte {
	s = strings.NewReplacer(" ", "", "|", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

type field struct {
	T  thrift.TType
	ID int16
}

type mapHeader struct {
	K, V thrift.TType
	Size int
}

type listHeader struct {
	E    thrift.TType
	Size int
}

type message struct {
	Name string
	Type thrift.MessageType
	Seq  int32
}

// wireCases are values with their encodings worked out by hand from the binary protocol spec.
var wireCases = []struct {
	name  string
	size  int
	write func([]byte) int
	read  func([]byte) (any, int, error)
	want  any
	hex   string
}{
	{"bool true", thrift.BoolLength, func(b []byte) int { return thrift.WriteBool(b, true) },
		rd(thrift.ReadBool), true, "01"},
	{"bool false", thrift.BoolLength, func(b []byte) int { return thrift.WriteBool(b, false) },
		rd(thrift.ReadBool), false, "00"},
	{"byte -1", thrift.ByteLength, func(b []byte) int { return thrift.WriteByte(b, -1) },
		rd(thrift.ReadByte), int8(-1), "ff"},
	{"byte 127", thrift.ByteLength, func(b []byte) int { return thrift.WriteByte(b, 127) },
		rd(thrift.ReadByte), int8(127), "7f"},
	{"i16 258", thrift.I16Length, func(b []byte) int { return thrift.WriteI16(b, 258) },
		rd(thrift.ReadI16), int16(258), "0102"},
	{"i16 min", thrift.I16Length, func(b []byte) int { return thrift.WriteI16(b, math.MinInt16) },
		rd(thrift.ReadI16), int16(math.MinInt16), "8000"},
	{"i32 1", thrift.I32Length, func(b []byte) int { return thrift.WriteI32(b, 1) },
		rd(thrift.ReadI32), int32(1), "00000001"},
	{"i32 -2", thrift.I32Length, func(b []byte) int { return thrift.WriteI32(b, -2) },
		rd(thrift.ReadI32), int32(-2), "fffffffe"},
	{"i64 0x0102030405060708", thrift.I64Length,
		func(b []byte) int { return thrift.WriteI64(b, 0x0102030405060708) },
		rd(thrift.ReadI64), int64(0x0102030405060708), "0102030405060708"},
	{"i64 min", thrift.I64Length, func(b []byte) int { return thrift.WriteI64(b, math.MinInt64) },
		rd(thrift.ReadI64), int64(math.MinInt64), "8000000000000000"},
	{"double 1.0", thrift.DoubleLength, func(b []byte) int { return thrift.WriteDouble(b, 1) },
		rd(thrift.ReadDouble), 1.0, "3ff0000000000000"},
	{"double -2.5", thrift.DoubleLength, func(b []byte) int { return thrift.WriteDouble(b, -2.5) },
		rd(thrift.ReadDouble), -2.5, "c004000000000000"},
	{"double +inf", thrift.DoubleLength,
		func(b []byte) int { return thrift.WriteDouble(b, math.Inf(1)) },
		rd(thrift.ReadDouble), math.Inf(1), "7ff0000000000000"},
	{"string empty", thrift.StringLength(""), func(b []byte) int { return thrift.WriteString(b, "") },
		rd(thrift.ReadString), "", "00000000"},
	{"string abc", thrift.StringLength("abc"),
		func(b []byte) int { return thrift.WriteString(b, "abc") },
		rd(thrift.ReadString), "abc", "00000003 616263"},
	{"string utf-8", thrift.StringLength("é"), func(b []byte) int { return thrift.WriteString(b, "é") },
		rd(thrift.ReadString), "é", "00000002 c3a9"},
	{"binary", thrift.BinaryLength([]byte{0, 0xff}),
		func(b []byte) int { return thrift.WriteBinary(b, []byte{0, 0xff}) },
		rd(thrift.ReadBinary), []byte{0, 0xff}, "00000002 00ff"},
	{"binary empty", thrift.BinaryLength(nil), func(b []byte) int { return thrift.WriteBinary(b, nil) },
		rd(thrift.ReadBinary), []byte{}, "00000000"},
	{"binary no copy", thrift.BinaryLength([]byte("hi")),
		func(b []byte) int { return thrift.WriteBinary(b, []byte("hi")) },
		rd(thrift.ReadBinaryNoCopy), []byte("hi"), "00000002 6869"},
	{"field i32 id 1", thrift.FieldBeginLength,
		func(b []byte) int { return thrift.WriteFieldBegin(b, thrift.I32, 1) },
		readField, field{thrift.I32, 1}, "08 0001"},
	{"field struct id -1", thrift.FieldBeginLength,
		func(b []byte) int { return thrift.WriteFieldBegin(b, thrift.STRUCT, -1) },
		readField, field{thrift.STRUCT, -1}, "0c ffff"},
	{"field list id 32767", thrift.FieldBeginLength,
		func(b []byte) int { return thrift.WriteFieldBegin(b, thrift.LIST, 32767) },
		readField, field{thrift.LIST, 32767}, "0f 7fff"},
	{"field stop", thrift.FieldStopLength, thrift.WriteFieldStop,
		readField, field{thrift.STOP, 0}, "00"},
	{"map string->i64 empty", thrift.MapBeginLength,
		func(b []byte) int { return thrift.WriteMapBegin(b, thrift.STRING, thrift.I64, 0) },
		readMap, mapHeader{thrift.STRING, thrift.I64, 0}, "0b 0a 00000000"},
	{"list i32 empty", thrift.ListBeginLength,
		func(b []byte) int { return thrift.WriteListBegin(b, thrift.I32, 0) },
		readList, listHeader{thrift.I32, 0}, "08 00000000"},
	{"set string empty", thrift.SetBeginLength,
		func(b []byte) int { return thrift.WriteSetBegin(b, thrift.STRING, 0) },
		readSet, listHeader{thrift.STRING, 0}, "0b 00000000"},
	{"message call Echo", thrift.MessageBeginLength("Echo"),
		func(b []byte) int { return thrift.WriteMessageBegin(b, "Echo", thrift.CALL, 1) },
		readMessage, message{"Echo", thrift.CALL, 1}, "80010001 00000004 4563686f 00000001"},
	{"message reply", thrift.MessageBeginLength("m"),
		func(b []byte) int { return thrift.WriteMessageBegin(b, "m", thrift.REPLY, -1) },
		readMessage, message{"m", thrift.REPLY, -1}, "80010002 00000001 6d ffffffff"},
	{"message exception", thrift.MessageBeginLength(""),
		func(b []byte) int { return thrift.WriteMessageBegin(b, "", thrift.EXCEPTION, 0x01020304) },
		readMessage, message{"", thrift.EXCEPTION, 0x01020304}, "80010003 00000000 01020304"},
	{"message oneway", thrift.MessageBeginLength("ab"),
		func(b []byte) int { return thrift.WriteMessageBegin(b, "ab", thrift.ONEWAY, 7) },
		readMessage, message{"ab", thrift.ONEWAY, 7}, "80010004 00000002 6162 00000007"},
}

// rd adapts a typed reader to the table's untyped one.
func rd[T any](f func([]byte) (T, int, error)) func([]byte) (any, int, error) {
	return func(b []byte) (any, int, error) { return f(b) }
}

func readField(b []byte) (any, int, error) {
	t, id, n, err := thrift.ReadFieldBegin(b)
	return field{t, id}, n, err
}

func readMap(b []byte) (any, int, error) {
	k, v, size, n, err := thrift.ReadMapBegin(b)
	return mapHeader{k, v, size}, n, err
}

func readList(b []byte) (any, int, error) {
	e, size, n, err := thrift.ReadListBegin(b)
	return listHeader{e, size}, n, err
}

func readSet(b []byte) (any, int, error) {
	e, size, n, err := thrift.ReadSetBegin(b)
	return listHeader{e, size}, n, err
}

func readMessage(b []byte) (any, int, error) {
	name, typ, seq, n, err := thrift.ReadMessageBegin(b)
	return message{string(name), typ, seq}, n, err
}

func TestWireFormat(t *testing.T) {
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(tc.hex)
			if tc.size != len(want) {
				t.Fatalf("length helper = %d, want %d", tc.size, len(want))
			}
			b := make([]byte, tc.size)
			if n := tc.write(b); n != len(want) || !bytes.Equal(b, want) {
				t.Fatalf("wrote %d bytes %x, want %x", n, b, want)
			}
			// Read back from a buffer with trailing bytes: readers must consume only their value.
			got, n, err := tc.read(append(want, 0xaa, 0xbb))
			if err != nil || n != len(want) {
				t.Fatalf("read = n %d, err %v; want n %d", n, err, len(want))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("read %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestContainerHeadersWithElements(t *testing.T) {
	// map<i32,string>{1: "a"}; list<i16>[1, 2]; set<bool>{true}.
	tests := []struct {
		name string
		in   string
		read func([]byte) (any, int, error)
		want any
	}{
		{"map", "08 0b 00000001 | 00000001 00000001 61", readMap, mapHeader{thrift.I32, thrift.STRING, 1}},
		{"list", "06 00000002 | 0001 0002", readList, listHeader{thrift.I16, 2}},
		{"set", "02 00000001 | 01", readSet, listHeader{thrift.BOOL, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := unhex(tc.in)
			got, n, err := tc.read(b)
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
			if m, err := thrift.Skip(b, map[string]thrift.TType{"map": thrift.MAP, "list": thrift.LIST,
				"set": thrift.SET}[tc.name]); err != nil || m != len(b) || n >= m {
				t.Fatalf("Skip = %d, %v; want %d", m, err, len(b))
			}
		})
	}
}

// roundTrip writes and reads back each of vals.
func roundTrip[T any](t *testing.T, vals []T, size func(T) int, write func([]byte, T) int,
	read func([]byte) (T, int, error), eq func(a, b T) bool) {
	t.Helper()
	for _, v := range vals {
		b := make([]byte, size(v))
		if n := write(b, v); n != len(b) {
			t.Errorf("%v: wrote %d bytes, want %d", v, n, len(b))
		}
		got, n, err := read(b)
		if err != nil || n != len(b) || !eq(got, v) {
			t.Errorf("%v: read back %v, n %d, err %v", v, got, n, err)
		}
	}
}

func eq[T comparable](a, b T) bool { return a == b }

func fixed[T any](n int) func(T) int { return func(T) int { return n } }

func TestRoundTripPrimitives(t *testing.T) {
	t.Run("bool", func(t *testing.T) {
		roundTrip(t, []bool{true, false}, fixed[bool](thrift.BoolLength), thrift.WriteBool,
			thrift.ReadBool, eq)
	})
	t.Run("byte", func(t *testing.T) {
		roundTrip(t, []int8{0, 1, -1, math.MinInt8, math.MaxInt8}, fixed[int8](thrift.ByteLength),
			thrift.WriteByte, thrift.ReadByte, eq)
	})
	t.Run("i16", func(t *testing.T) {
		roundTrip(t, []int16{0, 1, -1, math.MinInt16, math.MaxInt16}, fixed[int16](thrift.I16Length),
			thrift.WriteI16, thrift.ReadI16, eq)
	})
	t.Run("i32", func(t *testing.T) {
		roundTrip(t, []int32{0, 1, -1, math.MinInt32, math.MaxInt32}, fixed[int32](thrift.I32Length),
			thrift.WriteI32, thrift.ReadI32, eq)
	})
	t.Run("i64", func(t *testing.T) {
		roundTrip(t, []int64{0, 1, -1, math.MinInt64, math.MaxInt64}, fixed[int64](thrift.I64Length),
			thrift.WriteI64, thrift.ReadI64, eq)
	})
	t.Run("double", func(t *testing.T) {
		vals := []float64{0, math.Copysign(0, -1), 1.5, -1e300, math.SmallestNonzeroFloat64,
			math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN()}
		sameBits := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
		roundTrip(t, vals, fixed[float64](thrift.DoubleLength), thrift.WriteDouble, thrift.ReadDouble,
			sameBits)
	})
	t.Run("string", func(t *testing.T) {
		vals := []string{"", "a", "héllo, 世界", "\x00\xff", strings.Repeat("x", 70000)}
		roundTrip(t, vals, thrift.StringLength, thrift.WriteString, thrift.ReadString, eq)
	})
	t.Run("binary", func(t *testing.T) {
		vals := [][]byte{{}, {0}, {0xff, 0, 1}, bytes.Repeat([]byte{7}, 70000)}
		roundTrip(t, vals, thrift.BinaryLength, thrift.WriteBinary, thrift.ReadBinary, bytes.Equal)
		roundTrip(t, vals, thrift.BinaryLength, thrift.WriteBinary, thrift.ReadBinaryNoCopy,
			bytes.Equal)
	})
}

func TestReadBinaryCopies(t *testing.T) {
	b := unhex("00000003 010203 ff")
	cp, _, _ := thrift.ReadBinary(b)
	alias, _, _ := thrift.ReadBinaryNoCopy(b)
	s, _, _ := thrift.ReadString(b)
	b[4] = 9
	if cp[0] != 1 || s[0] != 1 {
		t.Errorf("ReadBinary/ReadString alias the input: %v %q", cp, s)
	}
	if alias[0] != 9 {
		t.Errorf("ReadBinaryNoCopy copied the input")
	}
	if cap(alias) != 3 {
		t.Errorf("ReadBinaryNoCopy cap = %d, want 3 so appends cannot overwrite the input", cap(alias))
	}
	if v, _, _ := thrift.ReadBinary(unhex("00000000")); v == nil {
		t.Errorf("ReadBinary of an empty binary returned nil, want non-nil")
	}
}

func TestReadMessageBeginAliases(t *testing.T) {
	b := unhex("80010001 00000004 4563686f 00000001")
	name, _, _, _, _ := thrift.ReadMessageBegin(b)
	b[8] = 'X'
	if string(name) != "Xcho" {
		t.Errorf("name = %q, want it to alias the input", name)
	}
	if cap(name) != 4 {
		t.Errorf("name cap = %d, want 4", cap(name))
	}
}

func TestReadBoolNonZeroIsTrue(t *testing.T) {
	if v, _, _ := thrift.ReadBool([]byte{2}); !v {
		t.Errorf("ReadBool(2) = false, want true")
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{thrift.STOP.String(), "STOP"}, {thrift.BYTE.String(), "BYTE"}, {thrift.I08.String(), "BYTE"},
		{thrift.LIST.String(), "LIST"}, {thrift.TType(7).String(), "TType(7)"},
		{thrift.TType(200).String(), "TType(200)"},
		{thrift.CALL.String(), "CALL"}, {thrift.REPLY.String(), "REPLY"},
		{thrift.EXCEPTION.String(), "EXCEPTION"}, {thrift.ONEWAY.String(), "ONEWAY"},
		{thrift.MessageType(9).String(), "MessageType(9)"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

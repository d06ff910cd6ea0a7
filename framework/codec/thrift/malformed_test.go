package thrift_test

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
)

// encodeSample returns a CALL message carrying newSample() and the header's length.
func encodeSample() (msg []byte, header int) {
	body := newSample()
	msg = make([]byte, thrift.MessageSize("Echo", body))
	thrift.EncodeMessage(msg, "Echo", thrift.CALL, 1, body)
	return msg, thrift.MessageBeginLength("Echo")
}

func TestTruncatedAtEveryOffset(t *testing.T) {
	msg, hdr := encodeSample()
	exc := thrift.Marshal(thrift.NewApplicationException(thrift.InternalError, "boom"))
	for i := range len(msg) {
		// Copy each prefix so reading past it would be caught by the race detector / bounds checks.
		p := bytes.Clone(msg[:i])
		if _, err := thrift.MessageLength(p); !errors.Is(err, thrift.ErrTruncated) {
			t.Fatalf("MessageLength(msg[:%d]) err = %v, want ErrTruncated", i, err)
		}
		if i < hdr {
			if _, _, _, _, err := thrift.ReadMessageBegin(p); !errors.Is(err, thrift.ErrTruncated) {
				t.Fatalf("ReadMessageBegin(msg[:%d]) err = %v, want ErrTruncated", i, err)
			}
			continue
		}
		bp := p[hdr:]
		if _, err := thrift.Skip(bp, thrift.STRUCT); !errors.Is(err, thrift.ErrTruncated) {
			t.Fatalf("Skip(body[:%d]) err = %v, want ErrTruncated", len(bp), err)
		}
		if _, err := new(Sample).FastRead(bp); !errors.Is(err, thrift.ErrTruncated) {
			t.Fatalf("FastRead(body[:%d]) err = %v, want ErrTruncated", len(bp), err)
		}
	}
	for i := range len(exc) {
		_, err := new(thrift.ApplicationException).FastRead(bytes.Clone(exc[:i]))
		if !errors.Is(err, thrift.ErrTruncated) {
			t.Fatalf("ApplicationException.FastRead(exc[:%d]) err = %v, want ErrTruncated", i, err)
		}
	}
	for _, tc := range wireCases {
		want := unhex(tc.hex)
		for i := range len(want) {
			if _, _, err := tc.read(bytes.Clone(want[:i])); !errors.Is(err, thrift.ErrTruncated) {
				t.Fatalf("%s: reading %d of %d bytes: err = %v, want ErrTruncated", tc.name, i,
					len(want), err)
			}
		}
	}
}

// hugeCases declare lengths far beyond the bytes present.
var hugeCases = []struct {
	name string
	in   string
	read func([]byte) error
}{
	{"string", "7fffffff 000000000000000000000000", errOf(thrift.ReadString)},
	{"binary", "7fffffff 00", errOf(thrift.ReadBinary)},
	{"binary no copy", "7fffffff 00", errOf(thrift.ReadBinaryNoCopy)},
	{"list", "0a 7fffffff 0000000000000000", listErr},
	{"list of structs", "0c 7fffffff 00", listErr},
	{"set", "0b 7fffffff 00000000", setErr},
	{"map", "0b 0b 7fffffff 0000000000000000", mapErr},
	{"map of bytes", "03 03 00100000 0000", mapErr},
	{"method name", "80010001 7fffffff 00000001", messageErr},
	{"skip string", "0b 0001 7fffffff 00", skipStruct},
	{"skip list", "0f 0001 0c 7fffffff 00", skipStruct},
	{"skip map", "0d 0001 0b 0b 7fffffff 00000000", skipStruct},
	{"message", "80010001 00000001 61 00000001 | 0b 0001 7fffffff", messageLength},
}

func errOf[T any](f func([]byte) (T, int, error)) func([]byte) error {
	return func(b []byte) error { _, _, err := f(b); return err }
}

// The …Err helpers return only the error, without boxing the results (which would allocate).

func listErr(b []byte) error { _, _, _, err := thrift.ReadListBegin(b); return err }

func setErr(b []byte) error { _, _, _, err := thrift.ReadSetBegin(b); return err }

func mapErr(b []byte) error { _, _, _, _, err := thrift.ReadMapBegin(b); return err }

func messageErr(b []byte) error { _, _, _, _, err := thrift.ReadMessageBegin(b); return err }

func skipStruct(b []byte) error { _, err := thrift.Skip(b, thrift.STRUCT); return err }

func messageLength(b []byte) error { _, err := thrift.MessageLength(b); return err }

func TestHugeLengthsDoNotAllocate(t *testing.T) {
	for _, tc := range hugeCases {
		t.Run(tc.name, func(t *testing.T) {
			b := unhex(tc.in)
			err := tc.read(b)
			if !errors.Is(err, thrift.ErrTruncated) {
				t.Fatalf("err = %v, want ErrTruncated", err)
			}
			// The only allocation allowed is the error value itself (it carries the sizes); the
			// declared length must never be allocated.
			if allocs := testing.AllocsPerRun(100, func() { sinkErr = tc.read(b) }); allocs > 1 {
				t.Errorf("%v allocations, want at most 1 (the error)", allocs)
			}
			if bytes := allocatedBytes(func() { sinkErr = tc.read(b) }); bytes > 128 {
				t.Errorf("allocated %d bytes per call, want only the error value", bytes)
			}
		})
	}
}

// allocatedBytes returns the heap bytes f allocates per call, averaged over 100 calls.
func allocatedBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 100 {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / 100
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errOf(thrift.ReadString)(unhex("7fffffff 000000000000000000000000")),
			"thrift: string length 2147483647 exceeds remaining 12 bytes: data truncated or malformed"},
		{errOf(readList)(unhex("0a 00000003 0000000000000000")),
			"thrift: list size 3 needs at least 24 bytes, remaining 8: data truncated or malformed"},
		{errOf(thrift.ReadI32)(unhex("0000")), "thrift: i32 needs 4 bytes: data truncated"},
		{errOf(thrift.ReadString)(unhex("ffffffff")), "thrift: negative string length -1: data malformed"},
		{errOf(readMap)(unhex("00 08 00000001 00000000")), "thrift: invalid map key type 0: data malformed"},
		{errOf(readMessage)(unhex("00000004 4563686f 01 00000001")),
			"thrift: bad message header 0x00000004, want strict binary protocol 0x8001: data malformed"},
		{skipStruct(nested(thrift.MaxDepth + 1)),
			"thrift: structs and containers nested deeper than 64"},
	}
	for _, tc := range tests {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("err = %v\nwant    %s", tc.err, tc.want)
		}
	}
}

func TestInvalidData(t *testing.T) {
	tests := []struct {
		name string
		in   string
		read func([]byte) error
	}{
		{"negative string", "ffffffff", errOf(thrift.ReadString)},
		{"negative binary", "80000000 00", errOf(thrift.ReadBinary)},
		{"negative list", "08 ffffffff", errOf(readList)},
		{"negative set", "08 80000000", errOf(readSet)},
		{"negative map", "08 08 ffffffff", errOf(readMap)},
		{"negative name", "80010001 ffffffff 00000001", errOf(readMessage)},
		{"field type VOID", "01 0001 00", errOf(readField)},
		{"field type 7", "07 0001", errOf(readField)},
		{"field type 16", "10 0001", errOf(readField)},
		{"list element VOID", "01 00000001 00", errOf(readList)},
		{"set element 5", "05 00000001 00", errOf(readSet)},
		{"map value STOP", "08 00 00000001 0000000000", errOf(readMap)},
		{"non-strict header", "00000004 4563686f 01 00000001", errOf(readMessage)},
		{"version 2", "80020001 00000000 00000001", errOf(readMessage)},
		{"bad version, short", "81", errOf(readMessage)},
		{"bad version byte 2, short", "8002", messageLength},
		{"skip field type 9", "09 0001 00", skipStruct},
		{"skip negative string", "0b 0001 ffffffff", skipStruct},
		{"skip list of VOID", "0f 0001 01 00000001 00", skipStruct},
		{"skip negative map", "0d 0001 08 08 ffffffff", skipStruct},
		{"skip negative set", "0e 0001 08 ffffffff", skipStruct},
		{"message body bad type", "80010001 00000000 00000001 | ff 0001", messageLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.read(unhex(tc.in)); !errors.Is(err, thrift.ErrInvalidData) {
				t.Fatalf("err = %v, want ErrInvalidData", err)
			}
		})
	}
	for _, typ := range []thrift.TType{thrift.STOP, thrift.VOID, 5, 7, 9, 16, 255} {
		if _, err := thrift.Skip(unhex("00000000000000000000"), typ); !errors.Is(err, thrift.ErrInvalidData) {
			t.Errorf("Skip(type %v) err = %v, want ErrInvalidData", typ, err)
		}
	}
}

func TestEmptyContainerTypesNotChecked(t *testing.T) {
	// Some peers write odd element types for empty containers; with no elements nothing is read.
	for _, in := range []string{"00 00000000", "01 00000000"} {
		if _, size, n, err := thrift.ReadListBegin(unhex(in)); err != nil || size != 0 || n != 5 {
			t.Errorf("ReadListBegin(%s) = %d, %d, %v", in, size, n, err)
		}
	}
	if n, err := thrift.Skip(unhex("00 00 00000000"), thrift.MAP); err != nil || n != 6 {
		t.Errorf("Skip(empty map with STOP types) = %d, %v", n, err)
	}
}

// nested returns a struct nested depth deep: depth-1 struct fields around an empty struct.
func nested(depth int) []byte {
	return append(bytes.Repeat([]byte{0x0c, 0, 1}, depth-1), bytes.Repeat([]byte{0}, depth)...)
}

// nestedLists returns depth lists, each holding the next, the innermost empty.
func nestedLists(depth int) []byte {
	b := bytes.Repeat([]byte{0x0f, 0, 0, 0, 1}, depth-1)
	return append(b, 0x08, 0, 0, 0, 0)
}

// nestedMixed alternates struct > map<i32, list<struct ...>>; each round adds 3 levels.
func nestedMixed(rounds int) []byte {
	var b []byte
	for range rounds {
		b = append(b, 0x0d, 0, 1, 0x08, 0x0f, 0, 0, 0, 1, 0, 0, 0, 0, 0x0c, 0, 0, 0, 1)
	}
	b = append(b, 0) // the innermost struct
	for range rounds {
		b = append(b, 0) // close each enclosing struct
	}
	return b
}

func TestDepthLimit(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		t    thrift.TType
		ok   bool
	}{
		{"structs at the limit", nested(thrift.MaxDepth), thrift.STRUCT, true},
		{"structs beyond", nested(thrift.MaxDepth + 1), thrift.STRUCT, false},
		{"lists at the limit", nestedLists(thrift.MaxDepth), thrift.LIST, true},
		{"lists beyond", nestedLists(thrift.MaxDepth + 1), thrift.LIST, false},
		{"mixed at the limit", nestedMixed(21), thrift.STRUCT, true}, // 1 + 21*3 = 64
		{"mixed beyond", nestedMixed(22), thrift.STRUCT, false},      // 67
		{"very deep", nested(100000), thrift.STRUCT, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := thrift.Skip(tc.in, tc.t)
			if tc.ok && (err != nil || n != len(tc.in)) {
				t.Fatalf("Skip = %d, %v; want %d", n, err, len(tc.in))
			}
			if !tc.ok && !errors.Is(err, thrift.ErrDepthLimit) {
				t.Fatalf("err = %v, want ErrDepthLimit", err)
			}
		})
	}
	msg := append(unhex("80010001 00000000 00000001"), nested(thrift.MaxDepth+1)...)
	if _, err := thrift.MessageLength(msg); !errors.Is(err, thrift.ErrDepthLimit) {
		t.Fatalf("MessageLength err = %v, want ErrDepthLimit", err)
	}
}

func TestMessageLengthLimit(t *testing.T) {
	msg, _ := encodeSample()
	size := len(msg)
	stream := append(bytes.Clone(msg), msg...) // two messages back to back
	hugeString := unhex("80010001 00000001 61 00000001 | 0b 0001 00100000 | 0000")
	hugeName := unhex("80010001 00100000 6161")
	tests := []struct {
		name  string
		in    []byte
		limit int
		n     int
		err   error
	}{
		{"fits exactly", stream, size, size, nil},
		{"one byte over", stream, size - 1, 0, thrift.ErrSizeLimit},
		{"partial, under limit", msg[:size/2], size, 0, thrift.ErrTruncated},
		{"partial, declared string over limit", hugeString, 1 << 20, 0, thrift.ErrSizeLimit},
		{"partial, declared string under limit", hugeString, 2 << 20, 0, thrift.ErrTruncated},
		{"partial, name over limit", hugeName, 1 << 20, 0, thrift.ErrSizeLimit},
		{"header over limit", msg, 10, 0, thrift.ErrSizeLimit},
		{"zero limit", msg, 0, 0, thrift.ErrSizeLimit},
		{"negative limit", msg, -1, 0, thrift.ErrSizeLimit},
		{"malformed wins", unhex("00000001"), 100, 0, thrift.ErrInvalidData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := thrift.MessageLengthLimit(tc.in, tc.limit)
			if n != tc.n || !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Fatalf("MessageLengthLimit = %d, %v; want %d, %v", n, err, tc.n, tc.err)
			}
			if tc.err == thrift.ErrSizeLimit && !strings.Contains(err.Error(), "limit") {
				t.Errorf("error %q does not mention the limit", err)
			}
		})
	}
}

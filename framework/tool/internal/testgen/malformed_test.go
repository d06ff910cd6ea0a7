package testgen_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/tool/internal/testgen/everything"
)

// wire builds Thrift binary by hand, for input the generated writers never produce.
type wire []byte

func (w wire) put(n int, write func([]byte) int) wire {
	b := make([]byte, n)
	return append(w, b[:write(b)]...)
}

func (w wire) field(t thrift.TType, id int16) wire {
	return w.put(thrift.FieldBeginLength, func(b []byte) int { return thrift.WriteFieldBegin(b, t, id) })
}
func (w wire) i32(v int32) wire {
	return w.put(thrift.I32Length, func(b []byte) int { return thrift.WriteI32(b, v) })
}
func (w wire) str(s string) wire {
	return w.put(thrift.StringLength(s), func(b []byte) int { return thrift.WriteString(b, s) })
}
func (w wire) list(et thrift.TType, n int) wire {
	return w.put(thrift.ListBeginLength, func(b []byte) int { return thrift.WriteListBegin(b, et, n) })
}
func (w wire) set(et thrift.TType, n int) wire {
	return w.put(thrift.SetBeginLength, func(b []byte) int { return thrift.WriteSetBegin(b, et, n) })
}
func (w wire) kv(kt, vt thrift.TType, n int) wire {
	return w.put(thrift.MapBeginLength, func(b []byte) int { return thrift.WriteMapBegin(b, kt, vt, n) })
}
func (w wire) stop() wire { return append(w, byte(thrift.STOP)) }

// Fields a reader does not know are skipped: an Everything decodes into Narrow, which knows two of
// its fields.
func TestUnknownFieldsAreSkipped(t *testing.T) {
	in := full()
	b := encode(t, in)
	var out everything.Narrow
	decode(t, b, &out)
	if out.AnI32 != in.AnI32 || out.AString != in.AString {
		t.Fatalf("Narrow = %+v, want an_i32 %d and a_string %q", out, in.AnI32, in.AString)
	}
}

// A field whose wire type, or container element types, differ from the IDL's is skipped and the
// rest of the struct is read. Element types are checked only when the container is not empty.
func TestMismatchedFieldsAreSkipped(t *testing.T) {
	tail := wire{}.field(thrift.I32, 4).i32(5).stop() // an_i32 = 5 after the field under test
	cases := []struct {
		name  string
		field wire
		check func(e *everything.Everything) bool
	}{
		{"wire type", wire{}.field(thrift.I32, 7).i32(1),
			func(e *everything.Everything) bool { return e.AString == "" }},
		{"list element", wire{}.field(thrift.LIST, 11).list(thrift.STRING, 1).str("x"),
			func(e *everything.Everything) bool { return e.Ints == nil }},
		{"empty list of another element type", wire{}.field(thrift.LIST, 11).list(thrift.STRING, 0),
			func(e *everything.Everything) bool { return e.Ints != nil && len(e.Ints) == 0 }},
		{"map key", wire{}.field(thrift.MAP, 13).kv(thrift.I32, thrift.I64, 1).i32(1).i32(0).i32(2),
			func(e *everything.Everything) bool { return e.Scores == nil }},
		{"nested set element", wire{}.field(thrift.LIST, 14).list(thrift.MAP, 1).kv(thrift.STRING, thrift.LIST, 1).
			str("k").list(thrift.SET, 1).set(thrift.STRING, 1).str("s"),
			func(e *everything.Everything) bool { return e.Deep == nil }},
		{"struct element", wire{}.field(thrift.LIST, 29).list(thrift.I32, 1).i32(3),
			func(e *everything.Everything) bool { return e.Choices == nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := append(append(wire{}, c.field...), tail...)
			out := everything.NewEverything()
			decode(t, b, out)
			if !c.check(out) || out.AnI32 != 5 {
				t.Fatalf("decoded %v", out)
			}
		})
	}
}

func TestMissingRequiredField(t *testing.T) {
	cases := map[string]wire{
		"absent":     wire{}.field(thrift.STRING, 1).str("n").field(thrift.I32, 2).i32(1).field(thrift.LIST, 5).list(thrift.I32, 0).stop(),
		"wrong type": wire{}.field(thrift.STRING, 1).str("n").field(thrift.I32, 2).i32(1).field(thrift.I32, 3).i32(0).field(thrift.LIST, 5).list(thrift.I32, 0).stop(),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := everything.NewRequired().FastRead(b)
			if !errors.Is(err, thrift.ErrInvalidData) || !strings.Contains(err.Error(), "required field point (3) is missing") {
				t.Fatalf("FastRead = %v, want a missing point error", err)
			}
		})
	}
}

// Every truncation of a valid encoding is an error that wraps ErrTruncated, and none panics.
func TestTruncatedInput(t *testing.T) {
	b := encode(t, full())
	for i := 0; i < len(b); i++ {
		_, err := everything.NewEverything().FastRead(b[:i])
		if !errors.Is(err, thrift.ErrTruncated) {
			t.Fatalf("FastRead of %d of %d bytes: %v, want ErrTruncated", i, len(b), err)
		}
	}
	// The error names the struct and the field it stopped in.
	cut := 2*(thrift.FieldBeginLength+1) + thrift.FieldBeginLength + 1 // inside a_bool, a_byte, an_i16's value
	_, err := everything.NewEverything().FastRead(b[:cut])
	if want := "Everything.an_i16 (field 3): "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error %q, want it to start with %q", err, want)
	}
}

// Deeply nested errors keep every level's name.
func TestNestedErrorNamesThePath(t *testing.T) {
	b := wire{}.field(thrift.STRUCT, 10).field(thrift.STRING, 3).i32(100) // a_point.label claims 100 bytes
	_, err := everything.NewEverything().FastRead(b)
	want := "Everything.a_point (field 10): Point.label (field 3): "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, thrift.ErrTruncated) {
		t.Fatalf("error %v, want it to start with %q", err, want)
	}
}

func TestUnionWritesFirstSetField(t *testing.T) {
	in := &everything.Choice{Text: ptr("t"), Point: &everything.Point{X: 1}, Words: []string{"w"}}
	out := everything.NewChoice()
	decode(t, encode(t, in), out)
	if out.Text == nil || *out.Text != "t" || out.Point != nil || out.Words != nil || out.Number != nil {
		t.Fatalf("decoded %v, want only text", out)
	}
}

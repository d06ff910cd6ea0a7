package thrift_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
)

func TestSampleRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   *Sample
	}{
		{"all fields", newSample()},
		{"zero", &Sample{}},
		{"no optionals", func() *Sample { s := newSample(); s.Opt, s.Child = nil, nil; return s }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := thrift.Marshal(tc.in)
			if len(b) != tc.in.BLength() {
				t.Fatalf("Marshal wrote %d bytes, BLength %d", len(b), tc.in.BLength())
			}
			if n, err := thrift.Skip(b, thrift.STRUCT); err != nil || n != len(b) {
				t.Fatalf("Skip = %d, %v; want %d", n, err, len(b))
			}
			got := new(Sample)
			if err := thrift.Unmarshal(b, got); err != nil {
				t.Fatal(err)
			}
			want := normalize(tc.in)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// normalize returns s as decoding produces it: empty containers non-nil.
func normalize(s *Sample) *Sample {
	c := *s
	if c.Blob == nil {
		c.Blob = []byte{}
	}
	if c.Deep == nil {
		c.Deep = []map[string][]int32{}
	}
	if c.IDs == nil {
		c.IDs = []int64{}
	}
	if c.Attrs == nil {
		c.Attrs = map[int32]string{}
	}
	return &c
}

func TestSampleBytes(t *testing.T) {
	// A small Sample worked out by hand, so the struct codec is checked against the spec too.
	s := &Sample{Flag: true, Name: "n", Deep: []map[string][]int32{{"k": {5}}}, IDs: []int64{},
		Attrs: map[int32]string{}, Blob: []byte{}}
	want := unhex("02 0001 01 | 03 0002 00 | 06 0003 0000 | 08 0004 00000000 |" +
		"0a 0005 0000000000000000 | 04 0006 0000000000000000 | 0b 0007 00000001 6e |" +
		"0b 0008 00000000 |" +
		"0f 000b 0d 00000001 | 0b 0f 00000001 | 00000001 6b | 08 00000001 | 00000005 |" +
		"0e 000c 0a 00000000 | 0d 000d 08 0b 00000000 | 00")
	if got := thrift.Marshal(s); !bytes.Equal(got, want) {
		t.Fatalf("Marshal:\n got %x\nwant %x", got, want)
	}
}

func TestUnknownFieldsSkipped(t *testing.T) {
	// Fields a newer peer added, in every shape, placed before the known ones.
	unknown := unhex(
		"0c 0064 | 0b 0001 00000002 6869 | 0f 0002 0c 00000001 00 | 00 |" + // struct{string, list<struct>}
			"0d 0065 0b 0f 00000001 | 00000001 61 | 0d 00000001 08 0b 00000001 00000001 00000000 |" +
			"0e 0066 0b 00000002 00000000 00000001 7a |" + // set<string>
			"02 0067 01 | 03 0068 7f | 04 0069 0000000000000000 |" +
			"08 0004 00000001 |" + // known id with the wrong type: also skipped
			"0a ffff 0000000000000001") // negative id
	want := newSample()
	b := append(unknown, thrift.Marshal(want)...)
	got := new(Sample)
	if err := thrift.Unmarshal(b, got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	inner := new(Inner)
	if n, err := inner.FastRead(unhex("0b 0003 00000001 78 | 0a 0001 0000000000000009 | 00")); err != nil ||
		n != 20 || inner.ID != 9 {
		t.Fatalf("Inner.FastRead = %d, %v, %+v", n, err, inner)
	}
}

func TestUnmarshalTrailingBytes(t *testing.T) {
	b := append(thrift.Marshal(&Inner{ID: 1}), 0)
	err := thrift.Unmarshal(b, new(Inner))
	if !errors.Is(err, thrift.ErrInvalidData) {
		t.Fatalf("err = %v, want ErrInvalidData", err)
	}
	if want := "thrift: 1 trailing bytes after struct: data malformed"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestEncodeMessage(t *testing.T) {
	body := &Inner{ID: 3, Name: "x"}
	size := thrift.MessageSize("Get", body)
	b := make([]byte, size)
	if n := thrift.EncodeMessage(b, "Get", thrift.CALL, 9, body); n != size {
		t.Fatalf("EncodeMessage wrote %d, MessageSize %d", n, size)
	}
	want := unhex("80010001 00000003 476574 00000009 | 0a 0001 0000000000000003 | 0b 0002 00000001 78 | 00")
	if !bytes.Equal(b, want) {
		t.Fatalf("got %x\nwant %x", b, want)
	}
	if n, err := thrift.MessageLength(append(b, 0x80, 1)); err != nil || n != size {
		t.Fatalf("MessageLength = %d, %v; want %d", n, err, size)
	}
	name, typ, seq, n, err := thrift.ReadMessageBegin(b)
	if err != nil || string(name) != "Get" || typ != thrift.CALL || seq != 9 {
		t.Fatalf("ReadMessageBegin = %q %v %d %v", name, typ, seq, err)
	}
	got := new(Inner)
	if err := thrift.Unmarshal(b[n:], got); err != nil || *got != *body {
		t.Fatalf("body = %+v, %v", got, err)
	}
}

func TestApplicationException(t *testing.T) {
	e := thrift.NewApplicationException(thrift.UnknownMethod, "no")
	want := unhex("0b 0001 00000002 6e6f | 08 0002 00000001 | 00")
	b := thrift.Marshal(e)
	if !bytes.Equal(b, want) || e.BLength() != len(want) {
		t.Fatalf("Marshal = %x (BLength %d), want %x", b, e.BLength(), want)
	}
	got := &thrift.ApplicationException{Message: "stale", Type: 99}
	if err := thrift.Unmarshal(append(unhex("0a 0063 0000000000000001"), want...), got); err != nil ||
		*got != *e {
		t.Fatalf("Unmarshal = %+v, %v", got, err)
	}
	// Missing fields decode as zero values rather than keeping stale ones.
	if err := thrift.Unmarshal([]byte{0}, got); err != nil || *got != (thrift.ApplicationException{}) {
		t.Fatalf("empty struct decoded to %+v, %v", got, err)
	}
	var err error = e
	var ae *thrift.ApplicationException
	if !errors.As(err, &ae) || ae.Type != thrift.UnknownMethod {
		t.Fatalf("errors.As failed")
	}
}

func TestApplicationExceptionError(t *testing.T) {
	tests := []struct {
		typ  int32
		msg  string
		want string
	}{
		{thrift.UnknownMethod, "method Foo not found",
			"thrift application exception (unknown method): method Foo not found"},
		{thrift.UnknownApplicationException, "", "thrift application exception (unknown)"},
		{thrift.InternalError, "boom", "thrift application exception (internal error): boom"},
		{thrift.UnknownService, "x", "thrift application exception (unknown service): x"},
		{thrift.NoServiceName, "", "thrift application exception (no service name)"},
		{42, "", "thrift application exception (type 42)"},
	}
	for _, tc := range tests {
		if got := thrift.NewApplicationException(tc.typ, tc.msg).Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestApplicationExceptionTypeValues(t *testing.T) {
	// Wire values from Apache Thrift's TApplicationException and Kitex's additions.
	got := []int32{thrift.UnknownApplicationException, thrift.UnknownMethod, thrift.InvalidMessageType,
		thrift.WrongMethodName, thrift.BadSequenceID, thrift.MissingResult, thrift.InternalError,
		thrift.ProtocolError, thrift.InvalidTransform, thrift.InvalidProtocol,
		thrift.UnsupportedClientType, thrift.UnknownService, thrift.NoServiceName}
	want := []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 21}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestContainerTypeMismatchSkipped(t *testing.T) {
	// Field 13 is map<i32, string> in the IDL; a peer sends map<string, i32>. The decoder must check
	// the header's types and skip the field rather than misread it (the regression seed in
	// testdata/fuzz/FuzzSample came from exactly this).
	b := unhex("0d 000d 0b 08 00000001 | 00000001 6b | 00000005 | 00")
	var s Sample
	if n, err := s.FastRead(b); err != nil || n != len(b) || s.Attrs != nil {
		t.Fatalf("FastRead = %d, %v, attrs %v; want the field skipped", n, err, s.Attrs)
	}
}

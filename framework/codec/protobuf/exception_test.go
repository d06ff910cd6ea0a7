package protobuf_test

import (
	"bytes"
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ternhq/tern/framework/codec/protobuf"
)

// kitexErrorProto is Kitex's ErrorProto (pkg/remote/codec/protobuf/error.proto) built at run time,
// so the hand-written codec can be checked against the protobuf runtime.
var kitexErrorProto = func() protoreflect.MessageDescriptor {
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:    proto.String("error.proto"),
		Package: proto.String("protobuf"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("ErrorProto"),
			Field: []*descriptorpb.FieldDescriptorProto{
				{Name: proto.String("TypeID"), JsonName: proto.String("TypeID"), Number: proto.Int32(1),
					Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
					Type:  descriptorpb.FieldDescriptorProto_TYPE_INT32.Enum()},
				{Name: proto.String("Message"), JsonName: proto.String("Message"), Number: proto.Int32(2),
					Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
					Type:  descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()},
			},
		}},
	}, nil)
	if err != nil {
		panic(err)
	}
	return fd.Messages().Get(0)
}()

func runtimeErrorProto(typeID int32, msg string) *dynamicpb.Message {
	m := dynamicpb.NewMessage(kitexErrorProto)
	m.Set(kitexErrorProto.Fields().ByNumber(1), protoreflect.ValueOfInt32(typeID))
	m.Set(kitexErrorProto.Fields().ByNumber(2), protoreflect.ValueOfString(msg))
	return m
}

func TestErrorProtoBytes(t *testing.T) {
	tests := []struct {
		name string
		e    protobuf.ErrorProto
		want string
	}{
		{"empty", protobuf.ErrorProto{}, ``},
		{"unknown method", protobuf.ErrorProto{TypeID: 1, Message: "x"}, `0801 1201 "x"`},
		{"type only", protobuf.ErrorProto{TypeID: 20}, `0814`},
		{"message only", protobuf.ErrorProto{Message: "boom"}, `1204 "boom"`},
		{"two-byte varint", protobuf.ErrorProto{TypeID: 300}, `08ac02`},
		{"negative", protobuf.ErrorProto{TypeID: -1}, `08ffffffffffffffffff01`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(tt.want)
			if got := tt.e.Size(); got != len(want) {
				t.Fatalf("Size = %d, want %d", got, len(want))
			}
			b := make([]byte, len(want))
			if n := tt.e.Encode(b); n != len(want) || !bytes.Equal(b, want) {
				t.Fatalf("Encode = %d %x, want %x", n, b, want)
			}
			rt, err := proto.MarshalOptions{Deterministic: true}.Marshal(runtimeErrorProto(tt.e.TypeID, tt.e.Message))
			if err != nil || !bytes.Equal(rt, want) {
				t.Fatalf("protobuf runtime encodes %x (%v), want %x", rt, err, want)
			}
			got, err := protobuf.DecodeErrorProto(want)
			if err != nil || *got != tt.e {
				t.Fatalf("DecodeErrorProto = %+v %v", got, err)
			}
		})
	}
}

func TestErrorProtoSkipsUnknownFields(t *testing.T) {
	// field 3 varint, field 1 as fixed32 (wrong wire type: unknown), field 4 bytes, field 5 fixed64,
	// then the real fields; a repeated field 1 keeps the last value.
	b := unhex(`1801 0d01000000 2202 "zz" 290000000000000000 0805 1201 "m" 0806`)
	got, err := protobuf.DecodeErrorProto(b)
	if err != nil || *got != (protobuf.ErrorProto{TypeID: 6, Message: "m"}) {
		t.Fatalf("DecodeErrorProto = %+v %v", got, err)
	}
	m := dynamicpb.NewMessage(kitexErrorProto)
	if err := proto.Unmarshal(b, m); err != nil {
		t.Fatal(err)
	}
	if m.Get(kitexErrorProto.Fields().ByNumber(1)).Int() != 6 {
		t.Fatal("protobuf runtime disagrees on TypeID")
	}
}

func TestErrorProtoMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"truncated varint":  `08ff`,
		"truncated length":  `12`,
		"length too long":   `1205 "abc"`,
		"field zero":        `0001`,
		"bad utf8":          `1201 ff`,
		"end group":         `0c`,
		"huge length":       `12ffffffff0f`,
		"truncated fixed32": `0d0000`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := protobuf.DecodeErrorProto(unhex(in)); !errors.Is(err, protobuf.ErrInvalidData) {
				t.Fatalf("DecodeErrorProto(%s) = %v, want ErrInvalidData", in, err)
			}
		})
	}
}

func TestExceptionMessage(t *testing.T) {
	e := protobuf.NewErrorProto(protobuf.UnknownMethod, "unknown method Foo\xff")
	if e.Message != "unknown method Foo\uFFFD" {
		t.Fatalf("NewErrorProto kept invalid UTF-8: %q", e.Message)
	}
	b := protobuf.AppendException(nil, "Foo", 3, e)
	want := append(unhex(`90010003 00000003 "Foo" 00000003 0801 1215 "unknown method Foo"`), "\uFFFD"...)
	if !bytes.Equal(b, want) {
		t.Fatalf("AppendException = %x, want %x", b, want)
	}
	m, typ, seq, err := protobuf.DecodeMessage(b, nil)
	var got *protobuf.ErrorProto
	if !errors.As(err, &got) || *got != *e || string(m) != "Foo" || typ != protobuf.EXCEPTION || seq != 3 {
		t.Fatalf("DecodeMessage = %q %v %d %v", m, typ, seq, err)
	}
	if got.Error() != e.Message || (&protobuf.ErrorProto{TypeID: 6}).Error() == "" {
		t.Fatalf("Error() = %q", got.Error())
	}
}

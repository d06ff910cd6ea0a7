package protobuf_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ternhq/tern/framework/codec/protobuf"
)

// unhex decodes hex with spaces and "quoted" ASCII runs, as the wire examples in DESIGN.md are written.
func unhex(s string) []byte {
	var out []byte
	for i, part := range strings.Split(s, `"`) {
		if i%2 == 1 {
			out = append(out, part...)
			continue
		}
		b, err := hex.DecodeString(strings.ReplaceAll(part, " ", ""))
		if err != nil {
			panic(err)
		}
		out = append(out, b...)
	}
	return out
}

func TestHeaderBytes(t *testing.T) {
	tests := []struct {
		name   string
		method string
		typ    protobuf.MessageType
		seq    int32
		want   string
	}{
		{"call", "Echo", protobuf.CALL, 1, `90010001 00000004 "Echo" 00000001`},
		{"reply", "Echo", protobuf.REPLY, 7, `90010002 00000004 "Echo" 00000007`},
		{"exception", "Get", protobuf.EXCEPTION, -1, `90010003 00000003 "Get" ffffffff`},
		{"oneway", "x", protobuf.ONEWAY, 0x01020304, `90010004 00000001 "x" 01020304`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(tt.want)
			if got := protobuf.HeaderSize(tt.method); got != len(want) {
				t.Fatalf("HeaderSize = %d, want %d", got, len(want))
			}
			b := make([]byte, len(want))
			if n := protobuf.EncodeHeader(b, tt.method, tt.typ, tt.seq); n != len(want) || !bytes.Equal(b, want) {
				t.Fatalf("EncodeHeader = %d %x, want %x", n, b, want)
			}
			m, typ, seq, n, err := protobuf.DecodeHeader(append(want, 0xAA))
			if err != nil || string(m) != tt.method || typ != tt.typ || seq != tt.seq || n != len(want) {
				t.Fatalf("DecodeHeader = %q %v %d %d %v", m, typ, seq, n, err)
			}
			if cap(m) != len(m) {
				t.Errorf("method slice has spare capacity %d: appending to it would overwrite the seq id", cap(m))
			}
		})
	}
}

func TestMessageBytes(t *testing.T) {
	// google.protobuf.StringValue{value: "hi"}: field 1, wire type 2 (tag 0x0a), length 2.
	body := wrapperspb.String("hi")
	want := unhex(`90010001 00000004 "Echo" 00000001 0a02 "hi"`)
	if got := protobuf.MessageSize("Echo", body); got != len(want) {
		t.Fatalf("MessageSize = %d, want %d", got, len(want))
	}
	b := make([]byte, len(want))
	n, err := protobuf.EncodeMessage(b, "Echo", protobuf.CALL, 1, body)
	if err != nil || n != len(want) || !bytes.Equal(b, want) {
		t.Fatalf("EncodeMessage = %d %v %x, want %x", n, err, b, want)
	}
	app, err := protobuf.AppendMessage([]byte{0xEE}, "Echo", protobuf.CALL, 1, body)
	if err != nil || !bytes.Equal(app, append([]byte{0xEE}, want...)) {
		t.Fatalf("AppendMessage = %x %v", app, err)
	}
	var got wrapperspb.StringValue
	m, typ, seq, err := protobuf.DecodeMessage(want, &got)
	if err != nil || string(m) != "Echo" || typ != protobuf.CALL || seq != 1 || got.GetValue() != "hi" {
		t.Fatalf("DecodeMessage = %q %v %d %v %v", m, typ, seq, &got, err)
	}
}

func TestEmptyAndNilBody(t *testing.T) {
	want := unhex(`90010002 00000001 "m" 00000002`)
	for _, body := range []proto.Message{nil, &wrapperspb.StringValue{}} {
		b := make([]byte, protobuf.MessageSize("m", body))
		n, err := protobuf.EncodeMessage(b, "m", protobuf.REPLY, 2, body)
		if err != nil || !bytes.Equal(b[:n], want) {
			t.Fatalf("EncodeMessage(%v) = %x %v, want %x", body, b[:n], err, want)
		}
		app, err := protobuf.AppendMessage(nil, "m", protobuf.REPLY, 2, body)
		if err != nil || !bytes.Equal(app, want) {
			t.Fatalf("AppendMessage(%v) = %x %v", body, app, err)
		}
	}
	if _, _, _, err := protobuf.DecodeMessage(want, nil); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	bodies := []proto.Message{
		wrapperspb.String(strings.Repeat("ü", 300)),
		wrapperspb.Int64(-1),
		timestamppb.New(timestamppb.Now().AsTime()),
		wrapperspb.Bytes(nil),
	}
	for i, body := range bodies {
		for _, typ := range []protobuf.MessageType{protobuf.CALL, protobuf.REPLY, protobuf.ONEWAY} {
			method := strings.Repeat("M", i*100+1)
			b := make([]byte, protobuf.MessageSize(method, body))
			n, err := protobuf.EncodeMessage(b, method, typ, int32(i), body)
			if err != nil || n != len(b) {
				t.Fatalf("EncodeMessage = %d of %d, %v", n, len(b), err)
			}
			got := body.ProtoReflect().New().Interface()
			m, gt, seq, err := protobuf.DecodeMessage(b, got)
			if err != nil || string(m) != method || gt != typ || seq != int32(i) || !proto.Equal(got, body) {
				t.Fatalf("DecodeMessage = %q %v %d %v %v, want %v", m, gt, seq, got, err, body)
			}
		}
	}
}

func TestEncodeMessageShortBuffer(t *testing.T) {
	body := wrapperspb.String("hello")
	size := protobuf.MessageSize("m", body)
	b := make([]byte, size-1, size+100)
	if _, err := protobuf.EncodeMessage(b, "m", protobuf.CALL, 1, body); !errors.Is(err, protobuf.ErrShortBuffer) {
		t.Fatalf("EncodeMessage into %d of %d bytes: %v, want ErrShortBuffer", len(b), size, err)
	}
	if b[:size][size-1] != 0 {
		t.Error("EncodeMessage wrote past len(b)")
	}
}

func TestMessageTypeString(t *testing.T) {
	for typ, want := range map[protobuf.MessageType]string{
		protobuf.CALL: "CALL", protobuf.REPLY: "REPLY", protobuf.EXCEPTION: "EXCEPTION", protobuf.ONEWAY: "ONEWAY",
		9: "MessageType(9)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", typ, got, want)
		}
	}
}

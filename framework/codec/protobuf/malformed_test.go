package protobuf_test

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ternhq/tern/framework/codec/protobuf"
)

// checkSentinel fails unless err wraps one of the package's decoding sentinels.
func checkSentinel(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, protobuf.ErrTruncated) && !errors.Is(err, protobuf.ErrInvalidData) {
		t.Fatalf("error %v wraps neither ErrTruncated nor ErrInvalidData", err)
	}
}

func TestHeaderTruncatedAtEveryOffset(t *testing.T) {
	full := unhex(`90010001 00000004 "Echo" 00000001`)
	for i := range len(full) {
		_, _, _, _, err := protobuf.DecodeHeader(full[:i])
		if !errors.Is(err, protobuf.ErrTruncated) {
			t.Fatalf("DecodeHeader(%d of %d bytes) = %v, want ErrTruncated", i, len(full), err)
		}
	}
}

func TestHeaderMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"thrift magic", `80010001 00000004 "Echo" 00000001`, protobuf.ErrInvalidData},
		{"bad second byte", `90020001 00000004 "Echo" 00000001`, protobuf.ErrInvalidData},
		{"bad third byte", `90010101 00000004 "Echo" 00000001`, protobuf.ErrInvalidData},
		{"first byte only", `80`, protobuf.ErrInvalidData},
		{"empty method", `90010001 00000000 00000001`, protobuf.ErrInvalidData},
		{"huge length", `90010001 ffffffff "Echo" 00000001`, protobuf.ErrTruncated},
		{"int32 max length", `90010001 7fffffff "Echo" 00000001`, protobuf.ErrTruncated},
		{"length eats seq id", `90010001 00000008 "Echo" 00000001`, protobuf.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, _, err := protobuf.DecodeHeader(unhex(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodeHeader = %v, want %v", err, tt.want)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			_, _, _, err = protobuf.DecodeMessage(unhex(tt.in), nil)
			checkSentinel(t, err)
		})
	}
}

func TestMalformedBody(t *testing.T) {
	for name, body := range map[string]string{
		"truncated field": `0a05 "hi"`,
		"bad tag":         `00`,
		"bad utf8":        `1201 ff`, // field 2 of ErrorProto; StringValue has no field 2, so use field 1 below
	} {
		t.Run(name, func(t *testing.T) {
			msg := append(unhex(`90010002 00000001 "m" 00000001`), unhex(body)...)
			asString := append([]byte(nil), msg...)
			if name == "bad utf8" {
				asString[len(asString)-3] = 0x0a // StringValue.value is field 1
			}
			_, _, _, err := protobuf.DecodeMessage(asString, &wrapperspb.StringValue{})
			if !errors.Is(err, protobuf.ErrInvalidData) {
				t.Fatalf("DecodeMessage = %v, want ErrInvalidData", err)
			}
			msg[3] = byte(protobuf.EXCEPTION)
			_, _, _, err = protobuf.DecodeMessage(msg, nil)
			if !errors.Is(err, protobuf.ErrInvalidData) {
				t.Fatalf("DecodeMessage(exception) = %v, want ErrInvalidData", err)
			}
		})
	}
}

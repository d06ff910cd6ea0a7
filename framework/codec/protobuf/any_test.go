package protobuf_test

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ternhq/tern/framework/codec/protobuf"
)

func TestMarshalAny(t *testing.T) {
	b, err := protobuf.MarshalAny(wrapperspb.String("hi"))
	if err != nil {
		t.Fatal(err)
	}
	var got wrapperspb.StringValue
	if err := protobuf.UnmarshalAny(b, &got); err != nil || got.GetValue() != "hi" {
		t.Fatalf("round trip = %q, %v", got.GetValue(), err)
	}
	if _, err := protobuf.MarshalAny("not a message"); !errors.Is(err, protobuf.ErrInvalidData) {
		t.Errorf("MarshalAny(string) = %v, want ErrInvalidData", err)
	}
	if err := protobuf.UnmarshalAny(b, new(int)); !errors.Is(err, protobuf.ErrInvalidData) {
		t.Errorf("UnmarshalAny into *int = %v, want ErrInvalidData", err)
	}
}

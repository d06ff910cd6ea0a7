package protobuf_test

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ternhq/tern/framework/codec/protobuf"
)

func ExampleEncodeMessage() {
	req := wrapperspb.String("hi")
	b := make([]byte, protobuf.MessageSize("Echo", req))
	n, err := protobuf.EncodeMessage(b, "Echo", protobuf.CALL, 1, req)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", b[:n])

	var got wrapperspb.StringValue
	method, typ, seq, err := protobuf.DecodeMessage(b[:n], &got)
	fmt.Println(string(method), typ, seq, got.GetValue(), err)
	// Output:
	// 90 01 00 01 00 00 00 04 45 63 68 6f 00 00 00 01 0a 02 68 69
	// Echo CALL 1 hi <nil>
}

func ExampleAppendException() {
	b := protobuf.AppendException(nil, "Foo", 7, protobuf.NewErrorProto(protobuf.UnknownMethod, "unknown method Foo"))
	_, typ, seq, err := protobuf.DecodeMessage(b, nil)
	var remote *protobuf.ErrorProto
	fmt.Println(typ, seq, errors.As(err, &remote), remote.TypeID, remote.Message)
	// Output: EXCEPTION 7 true 1 unknown method Foo
}

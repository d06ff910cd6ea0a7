package thrift_test

import (
	"errors"
	"fmt"

	"github.com/ternhq/tern/framework/codec/thrift"
)

// A server answers a call to a method it does not have: size the whole message, allocate once, write.
func ExampleEncodeMessage() {
	exc := thrift.NewApplicationException(thrift.UnknownMethod, "method Foo not found")
	b := make([]byte, thrift.MessageSize("Foo", exc))
	n := thrift.EncodeMessage(b, "Foo", thrift.EXCEPTION, 7, exc)

	name, typ, seq, hdr, _ := thrift.ReadMessageBegin(b[:n])
	var got thrift.ApplicationException
	err := thrift.Unmarshal(b[hdr:n], &got)
	fmt.Println(string(name), typ, seq, err)
	fmt.Println(got.Error())
	// Output:
	// Foo EXCEPTION 7 <nil>
	// thrift application exception (unknown method): method Foo not found
}

// A reader of an unframed (Buffered) stream asks MessageLength where the first message ends, reading
// more bytes while the answer is ErrTruncated.
func ExampleMessageLength() {
	exc := thrift.NewApplicationException(thrift.InternalError, "boom")
	msg := make([]byte, thrift.MessageSize("Echo", exc))
	thrift.EncodeMessage(msg, "Echo", thrift.EXCEPTION, 1, exc)
	stream := append(msg, 0x80, 0x01) // the next message has begun to arrive

	for _, have := range []int{10, len(stream)} {
		n, err := thrift.MessageLength(stream[:have])
		switch {
		case errors.Is(err, thrift.ErrTruncated):
			fmt.Printf("%d bytes: need more\n", have)
		case err != nil:
			fmt.Println("not thrift:", err)
		default:
			fmt.Printf("%d bytes: message is %d bytes\n", have, n)
		}
	}
	// Output:
	// 10 bytes: need more
	// 37 bytes: message is 35 bytes
}

// Decoders report what was wrong and wrap a sentinel for errors.Is.
func ExampleReadString() {
	forged := []byte{0x7f, 0xff, 0xff, 0xff, 'h', 'i'} // claims 2 GiB, holds 2 bytes
	_, _, err := thrift.ReadString(forged)
	fmt.Println(err)
	fmt.Println(errors.Is(err, thrift.ErrTruncated))
	// Output:
	// thrift: string length 2147483647 exceeds remaining 2 bytes: data truncated or malformed
	// true
}

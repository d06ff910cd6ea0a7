package protobuf

import (
	"fmt"

	"google.golang.org/protobuf/proto"
)

// MessageSize returns the encoded size of a whole message: the header for method and body's protobuf
// encoding. A nil body counts as empty.
func MessageSize(method string, body proto.Message) int {
	if body == nil {
		return HeaderSize(method)
	}
	return HeaderSize(method) + proto.Size(body)
}

// EncodeMessage writes a whole message — header and body — at b[0:] and returns the bytes written,
// MessageSize(method, body) when body has not changed since the size was taken. It never writes past
// len(b): a body that does not fit (say it grew meanwhile) is ErrShortBuffer. Body encoding errors
// (a proto2 message missing a required field) are returned as they are. A nil body writes nothing.
func EncodeMessage(b []byte, method string, typ MessageType, seq int32, body proto.Message) (int, error) {
	n := EncodeHeader(b, method, typ, seq)
	if body == nil {
		return n, nil
	}
	dst := b[n:n:len(b)]
	out, err := proto.MarshalOptions{}.MarshalAppend(dst, body)
	if err != nil {
		return 0, err
	}
	if len(out) > cap(dst) || len(out) > 0 && &out[0] != &b[n] {
		return 0, fmt.Errorf("%w: body needs %d bytes, %d left", ErrShortBuffer, len(out), len(b)-n)
	}
	return n + len(out), nil
}

// AppendMessage appends a whole message — header and body — to dst and returns the extended slice.
func AppendMessage(dst []byte, method string, typ MessageType, seq int32, body proto.Message) ([]byte, error) {
	start := len(dst)
	dst = grow(dst, HeaderSize(method))
	EncodeHeader(dst[start:], method, typ, seq)
	if body == nil {
		return dst, nil
	}
	return proto.MarshalOptions{}.MarshalAppend(dst, body)
}

// AppendException appends an EXCEPTION message carrying e: the reply a server sends instead of a
// REPLY when the call failed.
func AppendException(dst []byte, method string, seq int32, e *ErrorProto) []byte {
	start := len(dst)
	dst = grow(dst, HeaderSize(method)+e.Size())
	n := EncodeHeader(dst[start:], method, EXCEPTION, seq)
	e.Encode(dst[start+n:])
	return dst
}

// grow extends b by n bytes, reallocating at most once.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// DecodeMessage decodes one whole message, b being exactly a frame's payload: the header, then the
// body up to the end of b. CALL, REPLY and ONEWAY bodies are decoded into body with proto.Unmarshal (a nil
// body skips decoding). An EXCEPTION body is decoded as ErrorProto and returned as the error, a
// *ErrorProto (use errors.As), with the header values; protocol errors wrap ErrTruncated or
// ErrInvalidData instead.
func DecodeMessage(b []byte, body proto.Message) (method []byte, typ MessageType, seq int32, err error) {
	method, typ, seq, n, err := DecodeHeader(b)
	if err != nil {
		return nil, 0, 0, err
	}
	if typ == EXCEPTION {
		e, err := DecodeErrorProto(b[n:])
		if err != nil {
			return method, typ, seq, err
		}
		return method, typ, seq, e
	}
	if body != nil {
		if err := proto.Unmarshal(b[n:], body); err != nil {
			return method, typ, seq, fmt.Errorf("%w: %s body: %v", ErrInvalidData, method, err)
		}
	}
	return method, typ, seq, nil
}

// Package protobuf implements the Kitex Protobuf message: the header Kitex puts in front of a
// protobuf-encoded body when it speaks protobuf over its own transports (Framed, TTHeader+Framed).
//
// Wire format (all integers big-endian), as Kitex v0.16.3 writes it
// (pkg/remote/codec/protobuf/protobuf.go):
//
//	u32 0x90010000|message type   magic 0x9001 and the type (1 call, 2 reply, 3 exception, 4 oneway)
//	u32 length + method name      the name must not be empty (Kitex rejects a zero length)
//	u32 sequence id
//	protobuf bytes                the request, the response, or ErrorProto for an exception
//
// The body has no length of its own: it runs to the end of the frame. The u32 payload length in
// front of the message belongs to the Framed layer (package transport/framed), not to this codec; Kitex
// Protobuf is always framed, bare or inside TTHeader. So DecodeMessage takes exactly one message — a
// frame's payload — and treats every byte after the header as the body.
//
// The API is position based like codec/thrift: HeaderSize and MessageSize give exact sizes, EncodeHeader
// and EncodeMessage write at b[0:] of a buffer the caller sized, DecodeHeader returns the method as a
// sub-slice of the input without copying. Header encode and decode allocate nothing. Bodies are any
// proto.Message, encoded with proto.MarshalOptions{}.MarshalAppend and decoded with proto.Unmarshal.
//
// Exceptions travel as ErrorProto {int32 TypeID = 1; string Message = 2}, type ErrorProto here, encoded by
// hand with protowire so this package needs no generated code. The type ids are Thrift's
// TApplicationException types (1 unknown method, 6 internal error, 20 unknown service ...).
//
// Errors from decoding wrap ErrTruncated or ErrInvalidData; test them with errors.Is. Decoders never
// panic on malformed input.
package protobuf

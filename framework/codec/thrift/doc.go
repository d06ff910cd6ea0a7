// Package thrift implements the Thrift binary protocol (strict mode) over plain byte slices, the
// encoding Kitex and Apache Thrift speak on the wire.
//
// The API is position based and allocation free: an encoder first computes the exact size of what it
// will write (the …Length constants and functions, or Message.BLength), allocates one buffer, and then
// writes into it with the Write… functions, each of which writes at b[0:] and returns the number of
// bytes written. The caller guarantees the space; writing past the end of b panics like any slice
// index would.
//
// Decoders read directly from a contiguous byte slice with the Read… functions, each returning the
// value, the number of bytes consumed and an error. Readers never panic on short or malformed input.
// Lengths and container sizes are checked against the bytes that remain before anything is allocated,
// so a forged 2 GiB length in a 20-byte message is an error, not an allocation. Skip steps over a value
// of any type without decoding it, and MessageLength finds the end of an unframed (Buffered) message.
//
// Errors wrap one of the sentinels ErrTruncated (the input ended early: read more bytes and retry),
// ErrInvalidData (the bytes cannot be Thrift), ErrDepthLimit or ErrSizeLimit, so callers test them with
// errors.Is. Truncation of fixed-size values returns preallocated errors; errors that carry sizes
// allocate one small value, and only on the failure path.
//
// Wire format (all integers big-endian):
//
//	bool            1 byte, 0 or 1
//	byte, i16, i32, i64   1, 2, 4, 8 bytes, two's complement
//	double          8 bytes, the IEEE 754 bits
//	string, binary  i32 length, then the bytes
//	field header    u8 type, i16 id; a struct ends with a single STOP byte
//	map header      u8 key type, u8 value type, i32 size
//	list/set header u8 element type, i32 size
//	message header  u32 0x80010000|message type, i32 length + method name, i32 sequence id
//
// Generated structs implement Message (BLength, FastWrite, FastRead); ApplicationException is the
// TApplicationException every Thrift peer understands.
package thrift

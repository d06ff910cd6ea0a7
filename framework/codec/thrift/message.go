package thrift

// Message is the fast codec every generated struct implements. The encoder calls BLength once, sizes
// one buffer and calls FastWrite; the decoder calls FastRead on a buffer that holds at least the whole
// struct.
type Message interface {
	// BLength returns the exact encoded size of the struct.
	BLength() int
	// FastWrite encodes the struct at b[0:] and returns BLength() bytes written. b must have room.
	FastWrite(b []byte) int
	// FastRead decodes one struct from b[0:], skipping fields it does not know, and returns the number
	// of bytes consumed. Errors wrap this package's sentinels.
	FastRead(b []byte) (int, error)
}

// Marshal encodes m into a new buffer of exactly m.BLength() bytes.
func Marshal(m Message) []byte {
	b := make([]byte, m.BLength())
	return b[:m.FastWrite(b)]
}

// Unmarshal decodes m from b, which must hold exactly one struct: bytes left over are ErrInvalidData.
func Unmarshal(b []byte, m Message) error {
	n, err := m.FastRead(b)
	if err != nil {
		return err
	}
	if n != len(b) {
		return trailingError("struct", len(b)-n)
	}
	return nil
}

// MessageSize returns the encoded size of a whole message: the strict header for name and body.
func MessageSize(name string, body Message) int {
	return MessageBeginLength(name) + body.BLength()
}

// EncodeMessage writes a whole message at b[0:] — the strict header and body — and returns the number
// of bytes written, MessageSize(name, body). b must have room.
func EncodeMessage(b []byte, name string, typ MessageType, seq int32, body Message) int {
	n := WriteMessageBegin(b, name, typ, seq)
	return n + body.FastWrite(b[n:])
}

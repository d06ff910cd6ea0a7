package ttheader

import (
	"encoding/binary"
	"fmt"
)

// FrameLength returns the size of the whole frame, 4 + LENGTH, from its first 4 bytes. Read that many
// bytes and hand them to DecodeHeader. It fails (ErrInvalidFrame) when b is shorter than 4 bytes or
// LENGTH is below MinFrameSize-4 or above MaxFrameSize; it does not look at the magic (see
// transport.Detect).
func FrameLength(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, fmt.Errorf("%w: %d bytes, need 4 to read LENGTH", ErrInvalidFrame, len(b))
	}
	l := binary.BigEndian.Uint32(b)
	if l > MaxFrameSize {
		return 0, fmt.Errorf("%w: LENGTH %d exceeds the maximum %d", ErrInvalidFrame, l, MaxFrameSize)
	}
	if l < MinFrameSize-4 {
		return 0, fmt.Errorf("%w: LENGTH %d is below the minimum %d", ErrInvalidFrame, l, MinFrameSize-4)
	}
	return int(l) + 4, nil
}

// EncodeHeader writes h at the start of b and returns the number of bytes written, h.Size(); the caller
// writes the payloadLen-byte payload right after them. It writes LENGTH (h.Size() - 4 + payloadLen),
// MAGIC, FLAGS, SEQID, HEADER_SIZE, PROTOCOL_ID, zero transforms, then the token block if h.Token is
// non-nil, the string KV block if h.Strs is non-empty and the int KV block if h.Ints is non-empty (the
// order Kitex writes them in), then zero padding to a multiple of 4. It allocates nothing.
//
// EncodeHeader panics if b is shorter than h.Size(), if payloadLen is negative or makes LENGTH exceed
// MaxFrameSize, or if h fails Validate on a size (check untrusted headers with Validate first). It does
// not check h.ProtocolID.
func EncodeHeader(b []byte, h *Header, payloadLen int) int {
	info, lengths := h.infoSize()
	info = padded(info)
	size := MetaSize + info
	if info > MaxHeaderSize || lengths > maxLen16 {
		encodePanic(h)
	}
	if payloadLen < 0 || payloadLen > MaxFrameSize-(size-4) {
		panic(fmt.Sprintf("ttheader: EncodeHeader: payload length %d out of range [0, %d]",
			payloadLen, MaxFrameSize-(size-4)))
	}
	if len(b) < size {
		panic(fmt.Sprintf("ttheader: EncodeHeader: buffer of %d bytes, header needs %d", len(b), size))
	}
	b = b[:size]
	binary.BigEndian.PutUint32(b[0:4], uint32(size-4+payloadLen))
	binary.BigEndian.PutUint16(b[4:6], Magic)
	binary.BigEndian.PutUint16(b[6:8], h.Flags)
	binary.BigEndian.PutUint32(b[8:12], uint32(h.SeqID))
	binary.BigEndian.PutUint16(b[12:14], uint16(info/4))
	b[14] = h.ProtocolID
	b[15] = 0 // NUM_TRANSFORMS
	i := 16
	if h.Token != nil {
		b[i] = InfoIDACLToken
		i = putBytes16(b, i+1, h.Token)
	}
	if len(h.Strs) > 0 {
		b[i] = InfoIDKeyValue
		binary.BigEndian.PutUint16(b[i+1:], uint16(len(h.Strs)))
		i += 3
		for k := range h.Strs {
			i = putBytes16(b, i, h.Strs[k].Key)
			i = putBytes16(b, i, h.Strs[k].Value)
		}
	}
	if len(h.Ints) > 0 {
		b[i] = InfoIDIntKeyValue
		binary.BigEndian.PutUint16(b[i+1:], uint16(len(h.Ints)))
		i += 3
		for k := range h.Ints {
			binary.BigEndian.PutUint16(b[i:], uint16(h.Ints[k].Key))
			i = putBytes16(b, i+2, h.Ints[k].Value)
		}
	}
	clear(b[i:])
	return size
}

// putBytes16 writes v with a u16 length prefix at b[i:] and returns the index after it; the caller has
// checked that len(v) fits.
func putBytes16(b []byte, i int, v []byte) int {
	binary.BigEndian.PutUint16(b[i:], uint16(len(v)))
	return i + 2 + copy(b[i+2:], v)
}

// encodePanic reports a header EncodeHeader cannot encode.
func encodePanic(h *Header) {
	panic(fmt.Errorf("ttheader: EncodeHeader on a header that fails Validate: %w", h.Validate()))
}

// DecodeHeader decodes the frame in b into h and returns the offset of the payload in b; the payload is
// b[payloadOffset:]. b must hold exactly one whole frame, FrameLength(b) bytes, starting at LENGTH. h is
// reset first; its slices alias b (nothing is copied), and with a reused h nothing is allocated.
//
// It checks everything: LENGTH against len(b), the magic, HEADER_SIZE (non-zero, within the frame), each
// block and KV within the header info, and the info ids (an unknown one is ErrInvalidFrame). NUM_TRANSFORMS
// other than 0 and a PROTOCOL_ID Kitex rejects are ErrUnsupported. On error h is left reset. It never
// panics.
func DecodeHeader(b []byte, h *Header) (payloadOffset int, err error) {
	h.Reset()
	payloadOffset, err = decodeHeader(b, h)
	if err != nil {
		h.Reset()
		return 0, err
	}
	return payloadOffset, nil
}

func decodeHeader(b []byte, h *Header) (int, error) {
	n, err := FrameLength(b)
	if err != nil {
		return 0, err
	}
	if len(b) != n {
		return 0, fmt.Errorf("%w: LENGTH says the frame is %d bytes, the buffer holds %d", ErrInvalidFrame, n, len(b))
	}
	if m := binary.BigEndian.Uint16(b[4:6]); m != Magic {
		return 0, fmt.Errorf("%w: magic %#04x, want %#04x", ErrInvalidFrame, m, Magic)
	}
	h.Flags = binary.BigEndian.Uint16(b[6:8])
	h.SeqID = int32(binary.BigEndian.Uint32(b[8:12]))
	infoLen := int(binary.BigEndian.Uint16(b[12:14])) * 4
	end := MetaSize + infoLen
	switch {
	case infoLen == 0:
		return 0, fmt.Errorf("%w: HEADER_SIZE is 0", ErrInvalidFrame)
	case infoLen > MaxHeaderSize: // cannot happen with a u16 field; kept to state the rule
		return 0, fmt.Errorf("%w: header info of %d bytes exceeds %d", ErrInvalidFrame, infoLen, MaxHeaderSize)
	case end > n:
		return 0, fmt.Errorf("%w: header info of %d bytes (HEADER_SIZE %d) runs past the %d-byte frame",
			ErrInvalidFrame, infoLen, infoLen/4, n)
	}
	info := b[MetaSize:end]
	h.ProtocolID = info[0]
	if !validProtocolID(h.ProtocolID) {
		return 0, fmt.Errorf("%w: protocol id %#02x", ErrUnsupported, h.ProtocolID)
	}
	if info[1] != 0 {
		return 0, fmt.Errorf("%w: %d transforms (Tern supports none)", ErrUnsupported, info[1])
	}
	if err := h.decodeInfo(info, 2); err != nil {
		return 0, err
	}
	return end, nil
}

// decodeInfo reads the info blocks of info from index i on.
func (h *Header) decodeInfo(info []byte, i int) error {
	var err error
	for i < len(info) {
		id := info[i]
		i++
		switch id {
		case InfoIDPadding:
		case InfoIDKeyValue:
			i, err = h.decodeStrs(info, i)
		case InfoIDIntKeyValue:
			i, err = h.decodeInts(info, i)
		case InfoIDACLToken:
			var ok bool
			if h.Token, i, ok = field16(info, i); !ok {
				err = fieldError(info, i, "ACL token")
			}
		default:
			return fmt.Errorf("%w: unknown info id %#02x at offset %d", ErrInvalidFrame, id, MetaSize+i-1)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (h *Header) decodeStrs(info []byte, i int) (int, error) {
	count, i, ok := u16(info, i)
	if !ok {
		return 0, u16Error(info, i, "string KV count")
	}
	for range count {
		var kv StrKV
		if kv.Key, i, ok = field16(info, i); !ok {
			return 0, fieldError(info, i, "string KV key")
		}
		if kv.Value, i, ok = field16(info, i); !ok {
			return 0, fieldError(info, i, "string KV value")
		}
		h.Strs = append(h.Strs, kv)
	}
	return i, nil
}

func (h *Header) decodeInts(info []byte, i int) (int, error) {
	count, i, ok := u16(info, i)
	if !ok {
		return 0, u16Error(info, i, "int KV count")
	}
	for range count {
		var key int
		if key, i, ok = u16(info, i); !ok {
			return 0, u16Error(info, i, "int KV key")
		}
		kv := IntKV{Key: IntKey(key)}
		if kv.Value, i, ok = field16(info, i); !ok {
			return 0, fieldError(info, i, "int KV value")
		}
		h.Ints = append(h.Ints, kv)
	}
	return i, nil
}

// u16 reads a u16 at info[i:]; on failure it returns i unchanged and false.
func u16(info []byte, i int) (int, int, bool) {
	if len(info)-i < 2 {
		return 0, i, false
	}
	return int(info[i])<<8 | int(info[i+1]), i + 2, true
}

// field16 reads a u16 length and that many bytes at info[i:]; the result aliases info. On failure it
// returns i unchanged and false.
func field16(info []byte, i int) ([]byte, int, bool) {
	n, j, ok := u16(info, i)
	if !ok || len(info)-j < n {
		return nil, i, false
	}
	return info[j : j+n : j+n], j + n, true
}

// fieldError describes a u16 length and its bytes at info[i:] that run past the header info.
func fieldError(info []byte, i int, what string) error {
	n, j, ok := u16(info, i)
	if !ok {
		return u16Error(info, i, what+" length")
	}
	return fmt.Errorf("%w: %s of %d bytes at offset %d runs past the header info (ends at %d)",
		ErrInvalidFrame, what, n, MetaSize+j, MetaSize+len(info))
}

// u16Error describes a u16 at info[i:] that runs past the header info.
func u16Error(info []byte, i int, what string) error {
	return fmt.Errorf("%w: %s at offset %d runs past the header info (ends at %d)",
		ErrInvalidFrame, what, MetaSize+i, MetaSize+len(info))
}

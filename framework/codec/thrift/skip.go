package thrift

import (
	"encoding/binary"
	"errors"
	"math"
)

// MaxDepth is how deeply Skip and MessageLength let structs and containers nest: a struct inside a
// list inside a struct is depth 3. Deeper input is ErrDepthLimit.
const MaxDepth = 64

// noLimit is the skipper limit when the caller set none.
const noLimit = math.MaxInt

// Skip steps over one value of type t at the start of b without decoding it and returns its encoded
// length. It allocates nothing. Input that ends early is ErrTruncated, an unknown type or a negative
// size is ErrInvalidData, nesting deeper than MaxDepth is ErrDepthLimit.
func Skip(b []byte, t TType) (n int, err error) {
	s := skipper{b: b, limit: noLimit}
	return s.value(0, t, 0)
}

// MessageLength returns the length of the message at the start of b: a strict message header followed
// by one struct (the arguments or the result). If b holds only part of the message the error wraps
// ErrTruncated and the caller may read more bytes and call again; any other error means the bytes are
// not a Thrift message. This is how a reader finds the end of an unframed (Buffered) message.
func MessageLength(b []byte) (int, error) {
	return messageLength(b, noLimit)
}

// MessageLengthLimit is MessageLength for messages of at most limit bytes. It returns an error
// wrapping ErrSizeLimit as soon as the message is known to be longer, which may be before all of it
// has arrived: a string or container that declares more bytes than the limit allows fails at once, so
// a reader of an unframed stream never buffers more than limit bytes for one message.
func MessageLengthLimit(b []byte, limit int) (int, error) {
	limit = max(limit, 0)
	if len(b) > limit {
		b = b[:limit]
	}
	return messageLength(b, limit)
}

func messageLength(b []byte, limit int) (int, error) {
	s := skipper{b: b, limit: limit}
	_, _, _, n, err := ReadMessageBegin(b)
	if err == nil {
		n, err = s.value(n, STRUCT, 0)
	} else {
		err = s.overflow(8, err)
	}
	if err != nil && limit != noLimit && len(b) >= limit && errors.Is(err, ErrTruncated) {
		// b was cut at the limit and the message goes on past it.
		err = limitError(int64(limit)+1, limit)
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// skipper walks encoded values in b by position. limit is the caller's bound on the whole message
// (noLimit if none); declared lengths that would run past it are reported as ErrSizeLimit.
type skipper struct {
	b     []byte
	limit int
}

// overflow turns a length or size error found at pos into ErrSizeLimit if the declared length alone
// would run past the limit.
func (s *skipper) overflow(pos int, err error) error {
	if s.limit == noLimit {
		return err
	}
	e, ok := err.(*codecError)
	if !ok || e.sentinel != ErrTruncated {
		return err
	}
	var need int64
	switch e.kind {
	case kindLength:
		need = e.a
	case kindCount:
		need = e.c
	default:
		return err
	}
	if int64(pos)+need > int64(s.limit) {
		return limitError(int64(pos)+need, s.limit)
	}
	return err
}

// value skips a value of type t at pos, at nesting depth depth, and returns the position after it.
func (s *skipper) value(pos int, t TType, depth int) (int, error) {
	if w := int(fixedLength[t]); w != 0 {
		if w > len(s.b)-pos {
			return 0, shortFixed[t]
		}
		return pos + w, nil
	}
	switch t {
	case STRING:
		if end, ok := s.strFast(pos); ok {
			return end, nil
		}
		return s.str(pos)
	case STRUCT:
		return s.structure(pos, depth+1)
	case LIST, SET:
		return s.list(pos, t, depth+1)
	case MAP:
		return s.mapping(pos, depth+1)
	}
	return 0, typeError("value", t)
}

// strFast skips a well-formed string at pos; ok is false if the slow path must find the error.
func (s *skipper) strFast(pos int) (end int, ok bool) {
	if len(s.b)-pos < 4 {
		return 0, false
	}
	// A negative length is a huge uint32, so it too fails the comparison.
	l := binary.BigEndian.Uint32(s.b[pos:])
	if uint64(l) > uint64(len(s.b)-pos-4) {
		return 0, false
	}
	return pos + 4 + int(l), true
}

// str skips a string at pos, reporting what is wrong with it.
func (s *skipper) str(pos int) (int, error) {
	l, err := readLength(s.b[pos:], "string length")
	if err != nil {
		return 0, s.overflow(pos+4, err)
	}
	return pos + 4 + l, nil
}

func (s *skipper) structure(pos, depth int) (int, error) {
	if depth > MaxDepth {
		return 0, errDepth
	}
	b := s.b
	for {
		if pos >= len(b) {
			return 0, errShortStop
		}
		ft := TType(b[pos])
		if ft == STOP {
			return pos + 1, nil
		}
		if minLength[ft] == 0 {
			return 0, typeError("field", ft)
		}
		if len(b)-pos < 3 {
			return 0, errShortField
		}
		pos += 3
		if w := int(fixedLength[ft]); w != 0 {
			if w > len(b)-pos {
				return 0, shortFixed[ft]
			}
			pos += w
			continue
		}
		if ft == STRING {
			if end, ok := s.strFast(pos); ok {
				pos = end
				continue
			}
		}
		var err error
		if pos, err = s.value(pos, ft, depth); err != nil {
			return 0, err
		}
	}
}

// list skips a list or set (kind) at pos.
func (s *skipper) list(pos int, kind TType, depth int) (int, error) {
	if depth > MaxDepth {
		return 0, errDepth
	}
	b := s.b
	if len(b)-pos < 5 {
		if kind == SET {
			return 0, errShortSet
		}
		return 0, errShortList
	}
	et := TType(b[pos])
	n := int32(binary.BigEndian.Uint32(b[pos+1:]))
	pos += 5
	if n == 0 {
		return pos, nil
	}
	if err := checkListSize(kind, et, n, len(b)-pos); err != nil {
		return 0, s.overflow(pos, err)
	}
	if w := int(fixedLength[et]); w != 0 {
		return pos + int(n)*w, nil
	}
	var err error
	for i := int32(0); i < n; i++ {
		if pos, err = s.value(pos, et, depth); err != nil {
			return 0, err
		}
	}
	return pos, nil
}

func (s *skipper) mapping(pos, depth int) (int, error) {
	if depth > MaxDepth {
		return 0, errDepth
	}
	b := s.b
	if len(b)-pos < 6 {
		return 0, errShortMap
	}
	kt, vt := TType(b[pos]), TType(b[pos+1])
	n := int32(binary.BigEndian.Uint32(b[pos+2:]))
	pos += 6
	if n == 0 {
		return pos, nil
	}
	if err := checkMapSize(kt, vt, n, len(b)-pos); err != nil {
		return 0, s.overflow(pos, err)
	}
	if wk, wv := int(fixedLength[kt]), int(fixedLength[vt]); wk != 0 && wv != 0 {
		return pos + int(n)*(wk+wv), nil
	}
	var err error
	for i := int32(0); i < n; i++ {
		if pos, err = s.value(pos, kt, depth); err != nil {
			return 0, err
		}
		if pos, err = s.value(pos, vt, depth); err != nil {
			return 0, err
		}
	}
	return pos, nil
}

package grpc

import (
	"errors"
	"io"
	"strings"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// headerBlock is a received header block: a HEADERS frame and its CONTINUATION frames, decoded. The
// reader reuses it, and its Fields slice, for the next block: onHeaders must not keep the slice (the
// strings in it are safe to keep).
type headerBlock struct {
	StreamID  uint32
	Fields    []hpack.HeaderField
	Truncated bool // the fields went over MaxHeaderListSize; those beyond it are missing
	endStream bool
}

// StreamEnded reports whether the block ends its stream.
func (hb *headerBlock) StreamEnded() bool { return hb.endStream }

// headerReader decodes header blocks on the reader's goroutine, into one reused headerBlock, with the
// checks x/net/http2's Framer makes when it decodes them (ReadMetaHeaders), but without its
// allocations per block: the frame, the field slice's growth, the emit closure.
type headerReader struct {
	dec            *hpack.Decoder
	hb             headerBlock
	maxList        uint32
	headersRemain  uint32
	trailersRemain uint32
	sawRegular     bool
	invalid        error
}

var (
	errBadFieldValue    = errors.New("invalid header field value")
	errBadFieldName     = errors.New("invalid header field name")
	errPseudoAfter      = errors.New("pseudo header field after regular")
	errBadPseudo        = errors.New("invalid pseudo-header")
	errDuplicatePseudo  = errors.New("duplicate pseudo-header")
	errMixedPseudoKinds = errors.New("mix of request and response pseudo headers")
	errBadPadding       = errors.New("HEADERS padding longer than the frame")
)

func (hr *headerReader) init(maxList uint32) {
	if maxList == 0 {
		maxList = 16 << 20 // the Framer's default
	}
	hr.maxList = maxList
	hr.dec = hpack.NewDecoder(4096, hr.emit)
	hr.dec.SetMaxStringLength(int(min(maxList, 1<<31-1)))
	hr.reset()
}

// reset prepares for the next block.
func (hr *headerReader) reset() {
	clear(hr.hb.Fields)
	hr.hb = headerBlock{Fields: hr.hb.Fields[:0]}
	hr.headersRemain, hr.trailersRemain = hr.maxList, hr.maxList
	hr.sawRegular, hr.invalid = false, nil
	hr.dec.SetEmitEnabled(true)
}

func (hr *headerReader) emit(f hpack.HeaderField) {
	if !httpguts.ValidHeaderFieldValue(f.Value) {
		hr.invalid = errBadFieldValue
	}
	if strings.HasPrefix(f.Name, ":") {
		if hr.sawRegular {
			hr.invalid = errPseudoAfter
		}
	} else {
		hr.sawRegular = true
		if !validFieldName(f.Name) {
			hr.invalid = errBadFieldName
		}
	}
	if hr.invalid != nil {
		hr.dec.SetEmitEnabled(false)
		return
	}
	remain, size := &hr.headersRemain, f.Size()
	if f.Name == "trailer" { // counted as the fields it announces, as x/net does
		remain = &hr.trailersRemain
		n := uint32(strings.Count(f.Value, ",") + 1)
		size = uint32(len(f.Value)) - n + 1 + n*hpack.HeaderField{}.Size()
	}
	if size > *remain {
		hr.dec.SetEmitEnabled(false)
		hr.hb.Truncated = true
		hr.headersRemain, hr.trailersRemain = 0, 0
		return
	}
	*remain -= size
	hr.hb.Fields = append(hr.hb.Fields, f)
}

// validFieldName reports whether a regular field's name is a lower-case HTTP token.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !httpguts.IsTokenRune(r) || 'A' <= r && r <= 'Z' {
			return false
		}
	}
	return true
}

// checkPseudos checks the block's pseudo-header fields: known names, no duplicates, not both request
// and response ones.
func (hr *headerReader) checkPseudos() error {
	var request, response bool
	fields := hr.hb.Fields
	for i, f := range fields {
		if !strings.HasPrefix(f.Name, ":") {
			break
		}
		switch f.Name {
		case ":method", ":path", ":scheme", ":authority", ":protocol":
			request = true
		case ":status":
			response = true
		default:
			return errBadPseudo
		}
		for _, g := range fields[:i] {
			if g.Name == f.Name {
				return errDuplicatePseudo
			}
		}
	}
	if request && response {
		return errMixedPseudoKinds
	}
	return nil
}

// readHeaders reads the payload of a HEADERS frame whose header fh has been read, and decodes its
// fragment; the Framer would allocate the frame.
func (c *conn) readHeaders(fh http2.FrameHeader) error {
	if cap(c.hpayload) < int(fh.Length) {
		c.hpayload = make([]byte, fh.Length)
	}
	p := c.hpayload[:fh.Length]
	if _, err := io.ReadFull(c.r, p); err != nil {
		return err
	}
	if fh.StreamID == 0 {
		return connError{code: http2.ErrCodeProtocol, msg: "HEADERS frame with stream ID 0"}
	}
	pad := 0
	if fh.Flags.Has(http2.FlagHeadersPadded) {
		if len(p) < 1 {
			return connError{code: http2.ErrCodeFrameSize, msg: "HEADERS frame too short"}
		}
		pad, p = int(p[0]), p[1:]
	}
	if fh.Flags.Has(http2.FlagHeadersPriority) {
		if len(p) < 5 {
			return connError{code: http2.ErrCodeFrameSize, msg: "HEADERS frame too short"}
		}
		p = p[5:]
	}
	if pad > len(p) {
		c.hr.reset()
		c.hr.invalid = errBadPadding // a CONTINUATION of this block ends the connection
		c.streamError(http2.StreamError{StreamID: fh.StreamID, Code: http2.ErrCodeProtocol, Cause: errBadPadding})
		return nil
	}
	return c.onHeaderFragment(fh.StreamID, true, fh.Flags.Has(http2.FlagHeadersEndStream),
		fh.Flags.Has(http2.FlagHeadersEndHeaders), p[:len(p)-pad])
}

// onHeaderFragment decodes a HEADERS (first) or CONTINUATION fragment; at the end of the block it
// hands the block to the role, or resets the stream of a malformed one.
func (c *conn) onHeaderFragment(id uint32, first, endStream, endHeaders bool, frag []byte) error {
	hr := &c.hr
	if first {
		hr.reset()
		hr.hb.StreamID, hr.hb.endStream = id, endStream
	}
	// Like x/net: a fragment far beyond what is left of the header list, or any fragment after an
	// invalid field (its size is no longer tracked), ends the connection rather than being decoded.
	if int64(len(frag)) > 2*(int64(hr.headersRemain)+int64(hr.trailersRemain)) {
		return connError{code: http2.ErrCodeProtocol, msg: "header list too large"}
	}
	if hr.invalid != nil {
		return connError{code: http2.ErrCodeProtocol, msg: "invalid header: " + hr.invalid.Error()}
	}
	if _, err := hr.dec.Write(frag); err != nil {
		return connError{code: http2.ErrCodeCompression, msg: err.Error()}
	}
	if !endHeaders {
		return nil
	}
	if err := hr.dec.Close(); err != nil {
		return connError{code: http2.ErrCodeCompression, msg: err.Error()}
	}
	err := hr.invalid
	if err == nil {
		err = hr.checkPseudos()
	}
	if err != nil {
		c.streamError(http2.StreamError{StreamID: id, Code: http2.ErrCodeProtocol, Cause: err})
		return nil
	}
	return c.role.onHeaders(&hr.hb)
}

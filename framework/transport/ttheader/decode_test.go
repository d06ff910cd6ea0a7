package ttheader_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/ternhq/tern/framework/transport/ttheader"
)

func TestDecodeMalformed(t *testing.T) {
	ex := designExample
	tests := []struct {
		name  string
		frame string
		edit  func(b []byte) []byte
		want  error
	}{
		{name: "empty", frame: ``, want: ttheader.ErrInvalidFrame},
		{name: "3 bytes", frame: `000000`, want: ttheader.ErrInvalidFrame},
		{name: "bad magic", frame: ex, edit: func(b []byte) []byte { b[4] = 0x80; return b }, want: ttheader.ErrInvalidFrame},
		{name: "huge LENGTH", frame: ex, edit: func(b []byte) []byte {
			binary.BigEndian.PutUint32(b, 0xFFFFFFFF)
			return b
		}, want: ttheader.ErrInvalidFrame},
		{name: "LENGTH just over MaxFrameSize", frame: ex, edit: func(b []byte) []byte {
			binary.BigEndian.PutUint32(b, ttheader.MaxFrameSize+1)
			return b
		}, want: ttheader.ErrInvalidFrame},
		{name: "LENGTH below minimum", frame: `0000000d 1000 0000 00000000 0001 00 00 00`, want: ttheader.ErrInvalidFrame},
		{name: "LENGTH beyond buffer", frame: ex, edit: func(b []byte) []byte { b[3]++; return b }, want: ttheader.ErrInvalidFrame},
		{name: "trailing bytes after frame", frame: ex, edit: func(b []byte) []byte { return append(b, 0) }, want: ttheader.ErrInvalidFrame},
		{name: "HEADER_SIZE zero", frame: `0000000e 1000 0000 00000000 0000 00000000`, want: ttheader.ErrInvalidFrame},
		{name: "HEADER_SIZE beyond frame", frame: ex, edit: func(b []byte) []byte { b[13] = 0x0C; return b }, want: ttheader.ErrInvalidFrame},
		{name: "HEADER_SIZE max", frame: ex, edit: func(b []byte) []byte { b[12], b[13] = 0xFF, 0xFF; return b }, want: ttheader.ErrInvalidFrame},
		{name: "str key length beyond header", frame: ex, edit: func(b []byte) []byte { b[19] = 0xFF; return b }, want: ttheader.ErrInvalidFrame},
		{name: "str value length beyond header", frame: ex, edit: func(b []byte) []byte { b[25] = 0x20; return b }, want: ttheader.ErrInvalidFrame},
		{name: "str count beyond header", frame: ex, edit: func(b []byte) []byte { b[18] = 5; return b }, want: ttheader.ErrInvalidFrame},
		{name: "int value length beyond header", frame: ex, edit: func(b []byte) []byte { b[36] = 6; return b }, want: ttheader.ErrInvalidFrame},
		{name: "int count beyond header", frame: ex, edit: func(b []byte) []byte { b[32] = 2; return b }, want: ttheader.ErrInvalidFrame},
		{name: "int key cut by header end", frame: `00000012 1000 0000 00000000 0002 | 00 00 00 00 00 10 0001`, want: ttheader.ErrInvalidFrame},
		{name: "block count cut by header end", frame: `0000000e 1000 0000 00000000 0001 | 00 00 00 01`, want: ttheader.ErrInvalidFrame},
		{name: "token beyond header", frame: `0000000e 1000 0000 00000000 0001 | 00 00 11 00`, want: ttheader.ErrInvalidFrame},
		{name: "unknown info id", frame: `0000000e 1000 0000 00000000 0001 | 00 00 02 00`, want: ttheader.ErrInvalidFrame},
		{name: "non-zero after padding", frame: ex, edit: func(b []byte) []byte { b[41] = 0x7F; return b }, want: ttheader.ErrInvalidFrame},
		{name: "transforms", frame: `0000000e 1000 0000 00000000 0001 | 00 01 05 00`, want: ttheader.ErrUnsupported},
		{name: "thrift compact", frame: `0000000e 1000 0000 00000000 0001 | 02 00 00 00`, want: ttheader.ErrUnsupported},
		{name: "protocol id 0x01", frame: `0000000e 1000 0000 00000000 0001 | 01 00 00 00`, want: ttheader.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := unhex(t, tt.frame)
			if tt.edit != nil {
				b = tt.edit(b)
			}
			h := ttheader.Header{SeqID: 99}
			h.SetStr("stale", "x")
			off, err := ttheader.DecodeHeader(b, &h)
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodeHeader = %d, %v; want %v", off, err, tt.want)
			}
			if off != 0 || h.SeqID != 0 || len(h.Strs) != 0 || len(h.Ints) != 0 || h.Token != nil {
				t.Fatalf("on error: offset %d, header %+v", off, h)
			}
			t.Log(err)
		})
	}
}

// TestDecodeTruncated cuts the example at every offset: as is (LENGTH no longer matches), and with
// LENGTH rewritten to match the cut, which must give an error or a header that ends within the frame.
func TestDecodeTruncated(t *testing.T) {
	full := unhex(t, designExample)
	var h ttheader.Header
	for n := range len(full) {
		b := append([]byte(nil), full[:n]...)
		if _, err := ttheader.DecodeHeader(b, &h); !errors.Is(err, ttheader.ErrInvalidFrame) {
			t.Fatalf("cut at %d: err = %v", n, err)
		}
		if n < 4 {
			continue
		}
		binary.BigEndian.PutUint32(b, uint32(n-4))
		off, err := ttheader.DecodeHeader(b, &h)
		switch {
		case n >= 42 && (err != nil || off != 42):
			t.Fatalf("cut at %d inside the payload: %d, %v", n, off, err)
		case n < 42 && err == nil:
			t.Fatalf("cut at %d inside the header decoded", n)
		}
	}
}

// decodeCheck decodes b and, when it is a valid frame, checks that re-encoding gives an equal header.
func decodeCheck(t *testing.T, b []byte) {
	var h ttheader.Header
	off, err := ttheader.DecodeHeader(b, &h)
	if err != nil {
		if !errors.Is(err, ttheader.ErrInvalidFrame) && !errors.Is(err, ttheader.ErrUnsupported) {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		return
	}
	if off < ttheader.MinFrameSize || off > len(b) {
		t.Fatalf("payload offset %d out of [%d, %d]", off, ttheader.MinFrameSize, len(b))
	}
	if err := h.Validate(); err != nil {
		t.Fatalf("decoded header fails Validate: %v", err)
	}
	re := encodeFrame(&h, b[off:])
	var h2 ttheader.Header
	off2, err := ttheader.DecodeHeader(re, &h2)
	if err != nil {
		t.Fatalf("re-encoded frame fails: %v", err)
	}
	if off2 != h.Size() || !sameHeader(&h, &h2) || string(re[off2:]) != string(b[off:]) {
		t.Fatalf("re-encoding changed the header: %+v vs %+v", h, h2)
	}
}

func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{
		designExample,
		`0000000e 1000 0000 00000007 0001 | 00 00 0000`,
		`00000012 1000 0000 00000000 0002 | 00 00 11 0002 "tk" 00`,
		`00000016 1000 0000 00000000 0003 | 00 00 00 00 10 0001 0001 0001 "x"`,
		`0000001a 1000 0000 00000000 0004 | 00 00 10 0001 0001 0000 01 0001 0000 0000`,
		`0000000e 1000 0000 00000000 0001 | 00 01 05 00`,
		`ffffffff 1000 0000 00000000 ffff`,
	} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(decodeCheck)
}

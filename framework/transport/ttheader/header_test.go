package ttheader_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// unhex decodes hex written with spaces, '|' separators and "quoted" ASCII.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for len(s) > 0 {
		switch c := s[0]; {
		case c == ' ' || c == '|' || c == '\n' || c == '\t':
			s = s[1:]
		case c == '"':
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				t.Fatalf("unterminated quote in %q", s)
			}
			out = append(out, s[1:1+end]...)
			s = s[end+2:]
		default:
			b, err := hex.DecodeString(s[:2])
			if err != nil {
				t.Fatalf("bad hex %q: %v", s[:2], err)
			}
			out = append(out, b...)
			s = s[2:]
		}
	}
	return out
}

// designExample is the frame from DESIGN.md: method Echo, seq 1, str {isn: Echo}, int {9: Echo}.
const designExample = `00000037 1000 0000 00000001 0007 | 00 00 01 0001 0003 "isn" 0004 "Echo" 10 0001 0009 0004 "Echo" 00 |
	80010001 00000004 "Echo" 00000001 00`

// encodeFrame encodes h followed by payload.
func encodeFrame(h *ttheader.Header, payload []byte) []byte {
	b := make([]byte, h.Size()+len(payload))
	n := ttheader.EncodeHeader(b, h, len(payload))
	copy(b[n:], payload)
	return b
}

// sameHeader reports whether two headers carry the same fields (Token's nil-ness included).
func sameHeader(a, b *ttheader.Header) bool {
	if a.Flags != b.Flags || a.SeqID != b.SeqID || a.ProtocolID != b.ProtocolID ||
		len(a.Ints) != len(b.Ints) || len(a.Strs) != len(b.Strs) ||
		(a.Token == nil) != (b.Token == nil) || !bytes.Equal(a.Token, b.Token) {
		return false
	}
	for i := range a.Ints {
		if a.Ints[i].Key != b.Ints[i].Key || !bytes.Equal(a.Ints[i].Value, b.Ints[i].Value) {
			return false
		}
	}
	for i := range a.Strs {
		if !bytes.Equal(a.Strs[i].Key, b.Strs[i].Key) || !bytes.Equal(a.Strs[i].Value, b.Strs[i].Value) {
			return false
		}
	}
	return true
}

func TestDesignExample(t *testing.T) {
	want := unhex(t, designExample)
	if len(want) != 59 {
		t.Fatalf("example is %d bytes, want 59", len(want))
	}
	payload := want[42:]
	var h ttheader.Header
	h.SeqID = 1
	h.SetStr(ttheader.KeyIDLServiceName, "Echo")
	h.SetInt(ttheader.ToMethod, "Echo")
	if got := h.Size(); got != 42 {
		t.Fatalf("Size = %d, want 42", got)
	}
	if got := encodeFrame(&h, payload); !bytes.Equal(got, want) {
		t.Fatalf("encoded\n% x\nwant\n% x", got, want)
	}
	if k := transport.Detect(want); k != transport.KindTTHeader {
		t.Fatalf("Detect = %v", k)
	}

	n, err := ttheader.FrameLength(want)
	if err != nil || n != 59 {
		t.Fatalf("FrameLength = %d, %v", n, err)
	}
	var d ttheader.Header
	off, err := ttheader.DecodeHeader(want, &d)
	if err != nil {
		t.Fatal(err)
	}
	if off != 42 || !bytes.Equal(want[off:], payload) {
		t.Fatalf("payload offset %d", off)
	}
	if !sameHeader(&h, &d) {
		t.Fatalf("decoded %+v, want %+v", d, h)
	}
	if v, ok := d.Str("isn"); !ok || string(v) != "Echo" {
		t.Fatalf("isn = %q, %v", v, ok)
	}
	if v, ok := d.Int(ttheader.ToMethod); !ok || string(v) != "Echo" {
		t.Fatalf("to method = %q, %v", v, ok)
	}
	if _, ok := d.Int(ttheader.RPCTimeout); ok {
		t.Fatal("RPCTimeout found")
	}
	if _, ok := d.Str("crrst"); ok {
		t.Fatal("crrst found")
	}
}

func TestEncodeTable(t *testing.T) {
	tests := []struct {
		name    string
		h       ttheader.Header
		payload string
		want    string
	}{
		{"no KVs", ttheader.Header{SeqID: 7}, "",
			`0000000e 1000 0000 00000007 0001 | 00 00 0000`},
		{"flags, negative seq, protobuf id", ttheader.Header{Flags: ttheader.FlagSupportOutOfOrder, SeqID: -1,
			ProtocolID: ttheader.ProtocolIDKitexProtobuf}, "ab",
			`00000010 1000 0001 ffffffff 0001 | 04 00 0000 | "ab"`},
		{"only ints", ttheader.Header{SeqID: 2, Ints: []ttheader.IntKV{{ttheader.RPCTimeout, []byte("1000")}}}, "",
			`0000001a 1000 0000 00000002 0004 | 00 00 10 0001 000c 0004 "1000" 000000`},
		{"only strs", ttheader.Header{SeqID: 3, Strs: []ttheader.StrKV{{[]byte("a"), []byte{}}}}, "",
			`00000016 1000 0000 00000003 0003 | 00 00 01 0001 0001 "a" 0000 0000`},
		{"token pad 3", ttheader.Header{Token: []byte{}}, "",
			`00000012 1000 0000 00000000 0002 | 00 00 11 0000 000000`},
		{"token pad 2", ttheader.Header{Token: []byte("t")}, "",
			`00000012 1000 0000 00000000 0002 | 00 00 11 0001 "t" 0000`},
		{"token pad 1", ttheader.Header{Token: []byte("tk")}, "",
			`00000012 1000 0000 00000000 0002 | 00 00 11 0002 "tk" 00`},
		{"token pad 0", ttheader.Header{Token: []byte("tkn")}, "",
			`00000012 1000 0000 00000000 0002 | 00 00 11 0003 "tkn"`},
		{"all blocks in Kitex order", ttheader.Header{SeqID: 9,
			Ints:  []ttheader.IntKV{{ttheader.MsgType, []byte("1")}, {ttheader.TransportType, []byte("framed")}},
			Strs:  []ttheader.StrKV{{[]byte("k"), []byte("v")}},
			Token: []byte("x")}, "P",
			`0000002f 1000 0000 00000009 0009 | 00 00 11 0001 "x" 01 0001 0001 "k" 0001 "v"
			 10 0002 0016 0001 "1" 0001 0006 "framed" 000000 | "P"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.want)
			got := encodeFrame(&tt.h, []byte(tt.payload))
			if !bytes.Equal(got, want) {
				t.Fatalf("encoded\n% x\nwant\n% x", got, want)
			}
			if info := len(got) - len(tt.payload) - ttheader.MetaSize; info%4 != 0 {
				t.Fatalf("header info of %d bytes is not a multiple of 4", info)
			}
			var d ttheader.Header
			off, err := ttheader.DecodeHeader(got, &d)
			if err != nil {
				t.Fatal(err)
			}
			if string(got[off:]) != tt.payload || !sameHeader(&tt.h, &d) {
				t.Fatalf("decoded %+v payload %q", d, got[off:])
			}
		})
	}
}

// randomHeader builds a header with random contents.
func randomHeader(r *rand.Rand) *ttheader.Header {
	str := func() string {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return string(b)
	}
	h := &ttheader.Header{Flags: uint16(r.UintN(1 << 16)), SeqID: int32(r.Uint32()),
		ProtocolID: ttheader.ProtocolIDKitexProtobuf}
	for range r.IntN(6) {
		h.Ints = append(h.Ints, ttheader.IntKV{Key: ttheader.IntKey(r.UintN(1 << 16)), Value: []byte(str())})
	}
	for range r.IntN(6) {
		h.Strs = append(h.Strs, ttheader.StrKV{Key: []byte(str()), Value: []byte(str())})
	}
	if r.IntN(3) == 0 {
		h.Token = []byte(str())
	}
	return h
}

func TestRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var d ttheader.Header
	for i := range 2000 {
		h := randomHeader(r)
		if err := h.Validate(); err != nil {
			t.Fatal(err)
		}
		payload := make([]byte, r.IntN(20))
		b := encodeFrame(h, payload)
		if len(b) != h.Size()+len(payload) || (h.Size()-ttheader.MetaSize)%4 != 0 {
			t.Fatalf("%d: size %d for header %d payload %d", i, len(b), h.Size(), len(payload))
		}
		off, err := ttheader.DecodeHeader(b, &d)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if off != h.Size() || !sameHeader(h, &d) {
			t.Fatalf("%d: decoded %+v\nwant %+v", i, d, *h)
		}
	}
}

func TestSetReplacesAndLastWins(t *testing.T) {
	var h ttheader.Header
	h.SetInt(ttheader.RPCTimeout, "1")
	h.SetInt(ttheader.ToMethod, "M")
	h.SetInt(ttheader.RPCTimeout, "2")
	h.SetStr("a", "1")
	h.SetStr("b", "2")
	h.SetStr("a", "3")
	if len(h.Ints) != 2 || len(h.Strs) != 2 {
		t.Fatalf("Set appended duplicates: %+v", h)
	}
	if v, _ := h.Int(ttheader.RPCTimeout); string(v) != "2" {
		t.Fatalf("RPCTimeout = %q", v)
	}
	if v, _ := h.Str("a"); string(v) != "3" {
		t.Fatalf("a = %q", v)
	}
	// Decoded duplicates (a peer may send them): the last one wins, as in Kitex's maps.
	frame := unhex(t, `0000001e 1000 0000 00000000 0005 | 00 00 01 0002 0001 "k" 0001 "1" 0001 "k" 0001 "2" 000000`)
	if _, err := ttheader.DecodeHeader(frame, &h); err != nil {
		t.Fatal(err)
	}
	if v, _ := h.Str("k"); string(v) != "2" {
		t.Fatalf("k = %q, want the last value", v)
	}
}

func TestDecodeKitexVariants(t *testing.T) {
	tests := []struct {
		name, frame string
		check       func(*ttheader.Header) bool
	}{
		{"padding between blocks", `00000016 1000 0000 00000000 0003 | 00 00 00 00 10 0001 0001 0001 "x"`,
			func(h *ttheader.Header) bool { v, ok := h.Int(ttheader.TransportType); return ok && string(v) == "x" }},
		{"zero-count blocks", `00000012 1000 0000 00000000 0002 | 00 00 01 0000 10 0000`,
			func(h *ttheader.Header) bool { return len(h.Ints) == 0 && len(h.Strs) == 0 && h.Token == nil }},
		{"int block before str block", `0000001a 1000 0000 00000000 0004 | 00 00 10 0001 0001 0000 01 0001 0000 0000`,
			func(h *ttheader.Header) bool { return len(h.Ints) == 1 && len(h.Strs) == 1 }},
		{"repeated blocks", `0000001a 1000 0000 00000000 0004 | 00 00 10 0001 0001 0000 10 0001 0002 0000`,
			func(h *ttheader.Header) bool { return len(h.Ints) == 2 && h.Ints[1].Key == ttheader.LogID }},
		{"old Kitex protobuf id 0x03", `0000000e 1000 0000 00000000 0001 | 03 00 0000`,
			func(h *ttheader.Header) bool { return h.ProtocolID == ttheader.ProtocolIDThriftCompactV2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h ttheader.Header
			if _, err := ttheader.DecodeHeader(unhex(t, tt.frame), &h); err != nil {
				t.Fatal(err)
			}
			if !tt.check(&h) {
				t.Fatalf("decoded %+v", h)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	big := make([]byte, 0x10000)
	tests := []struct {
		name string
		h    ttheader.Header
		want error
	}{
		{"ok", ttheader.Header{Strs: []ttheader.StrKV{{big[:0xFFFF], nil}}}, nil},
		{"compact", ttheader.Header{ProtocolID: ttheader.ProtocolIDThriftCompact}, ttheader.ErrUnsupported},
		{"long key", ttheader.Header{Strs: []ttheader.StrKV{{big, nil}}}, ttheader.ErrHeaderTooLarge},
		{"long int value", ttheader.Header{Ints: []ttheader.IntKV{{1, big}}}, ttheader.ErrHeaderTooLarge},
		{"long token", ttheader.Header{Token: big}, ttheader.ErrHeaderTooLarge},
		{"too many", ttheader.Header{Ints: make([]ttheader.IntKV, 0x10000)}, ttheader.ErrHeaderTooLarge},
		{"info too large", ttheader.Header{Strs: []ttheader.StrKV{{big[:0xFFFF], big[:0xFFFF]},
			{big[:0xFFFF], big[:0xFFFF]}}}, ttheader.ErrHeaderTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.h.Validate()
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Validate = %v, want %v", err, tt.want)
			}
			if !errors.Is(tt.want, ttheader.ErrHeaderTooLarge) {
				return
			}
			defer func() {
				if r, _ := recover().(error); !errors.Is(r, ttheader.ErrHeaderTooLarge) {
					t.Fatalf("EncodeHeader panicked with %v", r)
				}
			}()
			ttheader.EncodeHeader(make([]byte, 1<<20), &tt.h, 0)
			t.Fatal("EncodeHeader did not panic")
		})
	}
}

func TestEncodePanicsOnShortBufferOrBadPayload(t *testing.T) {
	h := ttheader.Header{SeqID: 1}
	for _, tc := range []struct {
		buf, payload int
	}{{h.Size() - 1, 0}, {h.Size(), -1}, {h.Size(), ttheader.MaxFrameSize}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatalf("no panic for buffer %d payload %d", tc.buf, tc.payload)
				}
			}()
			ttheader.EncodeHeader(make([]byte, tc.buf), &h, tc.payload)
		}()
	}
}

func TestReset(t *testing.T) {
	h := ttheader.Header{Flags: 1, SeqID: 2, ProtocolID: 4, Token: []byte("t")}
	h.SetInt(ttheader.ToMethod, "M")
	h.SetStr("k", "v")
	ints, strs := cap(h.Ints), cap(h.Strs)
	h.Reset()
	if !sameHeader(&h, &ttheader.Header{}) || cap(h.Ints) != ints || cap(h.Strs) != strs {
		t.Fatalf("after Reset: %+v (caps %d %d)", h, cap(h.Ints), cap(h.Strs))
	}
	if h.Ints[:1][0].Value != nil || h.Strs[:1][0].Key != nil {
		t.Fatal("Reset kept references in the backing arrays")
	}
}

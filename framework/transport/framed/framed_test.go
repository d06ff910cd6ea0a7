package framed_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/framed"
)

func TestWriteAndReadHeader(t *testing.T) {
	for _, n := range []int{0, 1, 17, 0x12345678, framed.MaxPayloadLen} {
		b := make([]byte, framed.HeaderLen)
		if w := framed.WriteHeader(b, n); w != framed.HeaderLen {
			t.Fatalf("WriteHeader = %d", w)
		}
		got, err := framed.PayloadLen(b)
		if err != nil || got != n {
			t.Fatalf("PayloadLen(% x) = %d, %v; want %d", b, got, err, n)
		}
	}
}

func TestFramedThriftMessage(t *testing.T) {
	msg := []byte("\x80\x01\x00\x01\x00\x00\x00\x04Echo\x00\x00\x00\x01\x00") // Echo call, seq 1, empty args
	b := make([]byte, framed.HeaderLen+len(msg))
	copy(b[framed.WriteHeader(b, len(msg)):], msg)
	want := append([]byte{0, 0, 0, 17}, msg...)
	if !bytes.Equal(b, want) {
		t.Fatalf("frame % x, want % x", b, want)
	}
	if k := transport.Detect(b); k != transport.KindFramedThrift {
		t.Fatalf("Detect = %v", k)
	}
}

func TestPayloadLenErrors(t *testing.T) {
	for _, b := range [][]byte{nil, {0, 0, 1}, {0x80, 0, 0, 0}, {0xFF, 0xFF, 0xFF, 0xFF}} {
		if n, err := framed.PayloadLen(b); !errors.Is(err, framed.ErrInvalidLength) {
			t.Fatalf("PayloadLen(% x) = %d, %v", b, n, err)
		}
	}
}

func TestWriteHeaderPanics(t *testing.T) {
	for _, tc := range []struct{ buf, n int }{{3, 1}, {4, -1}, {4, framed.MaxPayloadLen + 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatalf("no panic for buffer %d length %d", tc.buf, tc.n)
				}
			}()
			framed.WriteHeader(make([]byte, tc.buf), tc.n)
		}()
	}
}

func TestZeroAllocs(t *testing.T) {
	b := make([]byte, framed.HeaderLen)
	if n := testing.AllocsPerRun(100, func() {
		framed.WriteHeader(b, 10)
		if _, err := framed.PayloadLen(b); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocs per run", n)
	}
}

func BenchmarkWriteReadHeader(b *testing.B) {
	buf := make([]byte, framed.HeaderLen)
	b.ReportAllocs()
	for b.Loop() {
		framed.WriteHeader(buf, 100)
		if _, err := framed.PayloadLen(buf); err != nil {
			b.Fatal(err)
		}
	}
}

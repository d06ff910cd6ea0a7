package ttheader_test

import (
	"fmt"
	"testing"

	"github.com/ternhq/tern/framework/transport/ttheader"
)

// kitexRequest fills h as a Kitex client with ClientTTHeaderHandler and some metainfo would.
func kitexRequest(h *ttheader.Header) {
	h.Reset()
	h.SeqID = 42
	h.SetInt(ttheader.TransportType, ttheader.TransportTypeFramed)
	h.SetInt(ttheader.FromService, "shop.gateway")
	h.SetInt(ttheader.FromMethod, "GetCart")
	h.SetInt(ttheader.ToService, "shop.cart")
	h.SetInt(ttheader.ToMethod, "GetCart")
	h.SetInt(ttheader.MsgType, "1")
	h.SetInt(ttheader.RPCTimeout, "1000")
	h.SetStr(ttheader.KeyIDLServiceName, "CartService")
	h.SetStr("RPC_TRANSIT_user-id", "12345")
	h.SetStr("RPC_PERSIST_tenant", "acme")
	h.SetStr("RPC_PERSIST_trace-tag", "canary")
}

func TestZeroAllocs(t *testing.T) {
	var h ttheader.Header
	kitexRequest(&h)
	buf := make([]byte, h.Size())
	frame := encodeFrame(&h, nil)
	var d ttheader.Header
	cases := map[string]func(){
		"EncodeHeader": func() { ttheader.EncodeHeader(buf, &h, 0) },
		"DecodeHeader": func() {
			if _, err := ttheader.DecodeHeader(frame, &d); err != nil {
				t.Fatal(err)
			}
		},
		"Size":     func() { _ = h.Size() },
		"Int":      func() { _, _ = h.Int(ttheader.RPCTimeout) },
		"Str":      func() { _, _ = h.Str("RPC_PERSIST_tenant") },
		"Validate": func() { _ = h.Validate() },
		"Set":      func() { kitexRequest(&h) },
		"FrameLength": func() {
			if _, err := ttheader.FrameLength(frame); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, fn := range cases {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", name, n)
		}
	}
}

func BenchmarkEncodeHeader(b *testing.B) {
	var h ttheader.Header
	kitexRequest(&h)
	buf := make([]byte, h.Size())
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		ttheader.EncodeHeader(buf, &h, 100)
	}
}

func BenchmarkBuildAndEncodeHeader(b *testing.B) {
	var h ttheader.Header
	kitexRequest(&h)
	buf := make([]byte, h.Size())
	b.ReportAllocs()
	for b.Loop() {
		kitexRequest(&h)
		ttheader.EncodeHeader(buf[:h.Size()], &h, 100)
	}
}

func BenchmarkDecodeHeader(b *testing.B) {
	var h ttheader.Header
	kitexRequest(&h)
	frame := encodeFrame(&h, make([]byte, 100))
	var d ttheader.Header
	b.SetBytes(int64(h.Size()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ttheader.DecodeHeader(frame, &d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeAndLookup(b *testing.B) {
	var h ttheader.Header
	kitexRequest(&h)
	frame := encodeFrame(&h, make([]byte, 100))
	var d ttheader.Header
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ttheader.DecodeHeader(frame, &d); err != nil {
			b.Fatal(err)
		}
		_, _ = d.Str(ttheader.KeyIDLServiceName)
		_, _ = d.Int(ttheader.ToMethod)
		_, _ = d.Int(ttheader.RPCTimeout)
	}
}

// ExampleEncodeHeader writes DESIGN.md's example request header: method Echo, seq 1.
func ExampleEncodeHeader() {
	payload := []byte("\x80\x01\x00\x01\x00\x00\x00\x04Echo\x00\x00\x00\x01\x00") // Echo call, empty args
	var h ttheader.Header
	h.SeqID = 1
	h.SetStr(ttheader.KeyIDLServiceName, "Echo")
	h.SetInt(ttheader.ToMethod, "Echo")
	frame := make([]byte, h.Size()+len(payload))
	n := ttheader.EncodeHeader(frame, &h, len(payload))
	copy(frame[n:], payload)
	fmt.Printf("%d bytes\n% x\n", len(frame), frame[:n])
	// Output:
	// 59 bytes
	// 00 00 00 37 10 00 00 00 00 00 00 01 00 07 00 00 01 00 01 00 03 69 73 6e 00 04 45 63 68 6f 10 00 01 00 09 00 04 45 63 68 6f 00
}

// ExampleDecodeHeader reads a frame: FrameLength from the first 4 bytes, then the header.
func ExampleDecodeHeader() {
	frame := []byte("\x00\x00\x00\x1a\x10\x00\x00\x00\x00\x00\x00\x05\x00\x04" +
		"\x00\x00\x10\x00\x01\x00\x0c\x00\x04" + "1000" + "\x00\x00\x00")
	n, err := ttheader.FrameLength(frame[:4])
	if err != nil {
		panic(err)
	}
	var h ttheader.Header
	off, err := ttheader.DecodeHeader(frame[:n], &h)
	if err != nil {
		panic(err)
	}
	timeout, _ := h.Int(ttheader.RPCTimeout)
	fmt.Printf("frame %d bytes, seq %d, payload at %d, timeout %sms\n", n, h.SeqID, off, timeout)
	// Output: frame 30 bytes, seq 5, payload at 30, timeout 1000ms
}

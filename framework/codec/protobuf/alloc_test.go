package protobuf_test

import (
	"testing"

	"github.com/ternhq/tern/framework/codec/protobuf"
)

var (
	sinkInt   int
	sinkBytes []byte
	sinkErr   error
)

func TestAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	buf := make([]byte, 64)
	hdr := unhex(`90010001 00000004 "Echo" 00000001`)
	short := hdr[:5]
	exc := &protobuf.ErrorProto{TypeID: protobuf.UnknownMethod, Message: "unknown method"}
	tests := []struct {
		name string
		f    func()
	}{
		{"EncodeHeader", func() { sinkInt = protobuf.EncodeHeader(buf, "Echo", protobuf.CALL, 1) }},
		{"DecodeHeader", func() { sinkBytes, _, _, sinkInt, sinkErr = protobuf.DecodeHeader(hdr) }},
		{"DecodeHeaderTruncated", func() { _, _, _, _, sinkErr = protobuf.DecodeHeader(short) }},
		{"ErrorProtoEncode", func() { sinkInt = exc.Encode(buf) }},
		{"ErrorProtoSize", func() { sinkInt = exc.Size() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tt.f); got != 0 {
				t.Errorf("%s allocates %.1f times per run, want 0", tt.name, got)
			}
		})
	}
}

func BenchmarkEncodeHeader(b *testing.B) {
	buf := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		sinkInt = protobuf.EncodeHeader(buf, "Echo", protobuf.CALL, 1)
	}
}

func BenchmarkDecodeHeader(b *testing.B) {
	hdr := unhex(`90010001 00000004 "Echo" 00000001`)
	b.ReportAllocs()
	for b.Loop() {
		sinkBytes, _, _, sinkInt, sinkErr = protobuf.DecodeHeader(hdr)
	}
}

package transport_test

import (
	"testing"

	"github.com/ternhq/tern/framework/transport"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want transport.Kind
	}{
		{"ttheader", []byte{0, 0, 0, 0x37, 0x10, 0x00, 0, 0}, transport.KindTTHeader},
		{"framed thrift", []byte{0, 0, 0, 0x20, 0x80, 0x01, 0, 1}, transport.KindFramedThrift},
		{"framed protobuf", []byte{0, 0, 0, 0x20, 0x90, 0x01, 0, 1}, transport.KindFramedProtobuf},
		{"buffered thrift", []byte{0x80, 0x01, 0, 1, 0, 0, 0, 4}, transport.KindBufferedThrift},
		{"http2", []byte(transport.HTTP2Preface), transport.KindHTTP2},
		{"http1", []byte("GET / HTTP/1.1"), transport.KindUnknown},
		{"short", []byte{0x80, 0x01}, transport.KindUnknown},
		{"zeros", make([]byte, 8), transport.KindUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := transport.Detect(tt.b); got != tt.want {
				t.Fatalf("Detect = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProtocolString(t *testing.T) {
	for p, want := range map[transport.Protocol]string{
		transport.TTHeader: "TTHeader", transport.TTHeaderFramed: "TTHeaderFramed",
		transport.Framed: "Framed", transport.Buffered: "Buffered", transport.GRPC | transport.Framed: "Framed|GRPC",
	} {
		if got := p.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", p, got, want)
		}
	}
}

// Package kitexpeer runs CloudWeGo Kitex v0.16.3 on the other end of Tern's interop tests: a Kitex
// generic server for service Echo of framework/testdata/echo.thrift and Kitex generic clients for it,
// each in one of the four Thrift transport variants Kitex speaks (TTHeader, Framed, Buffered,
// TTHeader+Framed).
//
// Nothing here is generated: both sides use Kitex's map generic codec over the IDL parsed at run time.
// Kitex's map generic server cannot throw a declared exception, so the server wraps the generic result
// with a writer for field 1 (EchoError) — byte for byte what Kitex-generated code writes.
//
// For protobuf, PBServer and PBClient serve and call kitexpeer.echo.Echo (echopb/echo.proto) over Kitex
// Protobuf (TTHeader+Framed, Framed) and Kitex's gRPC transport, unary and streaming. Their Kitex service
// description is hand-written in the shape kitex generates for a protobuf IDL; the messages are echopb's.
package kitexpeer

import (
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/cloudwego/kitex/transport"
)

// Variant is one Thrift transport stack a Kitex client can speak.
type Variant int

// The four variants. A Kitex server detects the variant per connection and mirrors it in its reply.
const (
	// TTHeader is a TTHeader frame whose payload is a bare (unframed) Thrift message.
	TTHeader Variant = iota + 1
	// Framed is a u32 length prefix and a Thrift message.
	Framed
	// Buffered is a bare Thrift message (Kitex calls it PurePayload).
	Buffered
	// TTHeaderFramed is a TTHeader frame whose payload is a Framed Thrift message.
	TTHeaderFramed
)

// Variants lists every variant, in a fixed order.
var Variants = []Variant{TTHeader, Framed, Buffered, TTHeaderFramed}

// String returns the variant's name as used in test and fixture names.
func (v Variant) String() string {
	switch v {
	case TTHeader:
		return "ttheader"
	case Framed:
		return "framed"
	case Buffered:
		return "buffered"
	case TTHeaderFramed:
		return "ttheader_framed"
	}
	return fmt.Sprintf("Variant(%d)", int(v))
}

// HasTTHeader reports whether the variant wraps its messages in a TTHeader frame, the only variants
// that carry metainfo, the IDL service name and error metadata.
func (v Variant) HasTTHeader() bool { return v == TTHeader || v == TTHeaderFramed }

// protocol is the Kitex transport protocol to set after PurePayload. Kitex ORs every
// WithTransportProtocol into its default (Framed), so PurePayload has to clear it first.
func (v Variant) protocol() (transport.Protocol, error) {
	switch v {
	case TTHeader:
		return transport.TTHeader, nil
	case Framed:
		return transport.Framed, nil
	case Buffered:
		return transport.PurePayload, nil
	case TTHeaderFramed:
		return transport.TTHeaderFramed, nil
	}
	return 0, fmt.Errorf("kitexpeer: unknown variant %d", int(v))
}

// IDLPath returns the absolute path of framework/testdata/echo.thrift.
func IDLPath() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("kitexpeer: cannot locate own source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "echo.thrift")
}

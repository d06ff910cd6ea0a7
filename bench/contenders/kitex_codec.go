package contenders

import (
	"fmt"

	"github.com/cloudwego/gopkg/protocol/thrift"
)

// The Thrift types of the Kitex contenders, written by hand in the shape the kitex tool (v0.16.3)
// generates for bench/idl/echo.thrift: structs implementing Kitex's FastCodec (BLength,
// FastWriteNocopy, FastRead) on top of github.com/cloudwego/gopkg's binary protocol, so that Kitex takes
// its fast codec path, as it does for generated code.

// kRequest is echo.Request.
type kRequest struct {
	Message string
}

// kResponse is echo.Response.
type kResponse struct {
	Message string
}

// kArgs is the argument struct of Echo.Echo (field 1: req).
type kArgs struct {
	Req *kRequest
}

// kResult is the result struct of Echo.Echo (field 0: success).
type kResult struct {
	Success *kResponse
}

// stringStructLen is the encoded size of a struct whose only field is string field 1 holding s.
func stringStructLen(s string) int {
	return 3 + 4 + len(s) + 1
}

// writeStringStruct encodes a struct whose only field is string field 1 holding s.
func writeStringStruct(b []byte, w thrift.NocopyWriter, s string) int {
	off := thrift.Binary.WriteFieldBegin(b, thrift.STRING, 1)
	off += thrift.Binary.WriteStringNocopy(b[off:], w, s)
	return off + thrift.Binary.WriteFieldStop(b[off:])
}

// fastReader decodes one value from the front of a buffer, returning the bytes it read.
type fastReader interface {
	FastRead(b []byte) (int, error)
}

// readStruct reads a struct's fields, decoding field wantID of type wantType into dst and skipping
// every other field. It takes an interface rather than a closure so that decoding allocates nothing.
func readStruct(b []byte, wantID int16, wantType thrift.TType, dst fastReader) (int, error) {
	off := 0
	for {
		typ, id, l, err := thrift.Binary.ReadFieldBegin(b[off:])
		if err != nil {
			return off, err
		}
		off += l
		if typ == thrift.STOP {
			return off, nil
		}
		if id == wantID && typ == wantType {
			l, err = dst.FastRead(b[off:])
		} else {
			l, err = thrift.Binary.Skip(b[off:], typ)
		}
		if err != nil {
			return off, fmt.Errorf("field %d: %w", id, err)
		}
		off += l
	}
}

// stringField decodes a Thrift string into *s.
type stringField struct{ s *string }

// FastRead decodes the string.
func (f stringField) FastRead(b []byte) (int, error) {
	s, l, err := thrift.Binary.ReadString(b)
	*f.s = s
	return l, err
}

// BLength, FastWriteNocopy and FastRead implement Kitex's FastCodec for each type below.
func (p *kRequest) BLength() int { return stringStructLen(p.Message) }

func (p *kRequest) FastWriteNocopy(b []byte, w thrift.NocopyWriter) int {
	return writeStringStruct(b, w, p.Message)
}

func (p *kRequest) FastRead(b []byte) (int, error) {
	return readStruct(b, 1, thrift.STRING, stringField{&p.Message})
}

func (p *kResponse) BLength() int { return stringStructLen(p.Message) }

func (p *kResponse) FastWriteNocopy(b []byte, w thrift.NocopyWriter) int {
	return writeStringStruct(b, w, p.Message)
}

func (p *kResponse) FastRead(b []byte) (int, error) {
	return readStruct(b, 1, thrift.STRING, stringField{&p.Message})
}

func (p *kArgs) BLength() int {
	n := 1
	if p.Req != nil {
		n += 3 + p.Req.BLength()
	}
	return n
}

func (p *kArgs) FastWriteNocopy(b []byte, w thrift.NocopyWriter) int {
	off := 0
	if p.Req != nil {
		off += thrift.Binary.WriteFieldBegin(b, thrift.STRUCT, 1)
		off += p.Req.FastWriteNocopy(b[off:], w)
	}
	return off + thrift.Binary.WriteFieldStop(b[off:])
}

func (p *kArgs) FastRead(b []byte) (int, error) {
	p.Req = new(kRequest)
	return readStruct(b, 1, thrift.STRUCT, p.Req)
}

// GetFirstArgument returns the request (Kitex asks for it).
func (p *kArgs) GetFirstArgument() any { return p.Req }

func (p *kResult) BLength() int {
	n := 1
	if p.Success != nil {
		n += 3 + p.Success.BLength()
	}
	return n
}

func (p *kResult) FastWriteNocopy(b []byte, w thrift.NocopyWriter) int {
	off := 0
	if p.Success != nil {
		off += thrift.Binary.WriteFieldBegin(b, thrift.STRUCT, 0)
		off += p.Success.FastWriteNocopy(b[off:], w)
	}
	return off + thrift.Binary.WriteFieldStop(b[off:])
}

func (p *kResult) FastRead(b []byte) (int, error) {
	p.Success = new(kResponse)
	return readStruct(b, 0, thrift.STRUCT, p.Success)
}

// GetResult returns the response (Kitex asks for it).
func (p *kResult) GetResult() any { return p.Success }

// SetSuccess sets the response.
func (p *kResult) SetSuccess(x any) { p.Success = x.(*kResponse) }

// IsSetSuccess reports whether the response is set.
func (p *kResult) IsSetSuccess() bool { return p.Success != nil }

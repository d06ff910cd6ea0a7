package thrift_test

import (
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
)

// Sinks keep the compiler from optimizing the measured calls away.
var (
	sinkInt    int
	sinkErr    error
	sinkBool   bool
	sinkI8     int8
	sinkI16    int16
	sinkI32    int32
	sinkI64    int64
	sinkF64    float64
	sinkString string
	sinkBytes  []byte
	sinkType   thrift.TType
)

func TestAllocations(t *testing.T) {
	buf := make([]byte, 256)
	str := unhex("00000005 68656c6c6f")
	field := unhex("08 0001")
	mapHdr := unhex("0b 08 00000001 00000001 61 00000001")
	listHdr := unhex("08 00000002 00000001 00000002")
	msg, hdr := encodeSample()
	body := msg[hdr:]
	sample := newSample()
	exc := thrift.NewApplicationException(thrift.UnknownMethod, "method Foo not found")
	tests := []struct {
		name string
		want float64
		f    func()
	}{
		{"WriteBool", 0, func() { sinkInt = thrift.WriteBool(buf, true) }},
		{"WriteByte", 0, func() { sinkInt = thrift.WriteByte(buf, 1) }},
		{"WriteI16", 0, func() { sinkInt = thrift.WriteI16(buf, 1) }},
		{"WriteI32", 0, func() { sinkInt = thrift.WriteI32(buf, 1) }},
		{"WriteI64", 0, func() { sinkInt = thrift.WriteI64(buf, 1) }},
		{"WriteDouble", 0, func() { sinkInt = thrift.WriteDouble(buf, 1) }},
		{"WriteString", 0, func() { sinkInt = thrift.WriteString(buf, "hello") }},
		{"WriteBinary", 0, func() { sinkInt = thrift.WriteBinary(buf, str) }},
		{"WriteFieldBegin", 0, func() { sinkInt = thrift.WriteFieldBegin(buf, thrift.I32, 1) }},
		{"WriteFieldStop", 0, func() { sinkInt = thrift.WriteFieldStop(buf) }},
		{"WriteMapBegin", 0, func() { sinkInt = thrift.WriteMapBegin(buf, thrift.I32, thrift.I32, 1) }},
		{"WriteListBegin", 0, func() { sinkInt = thrift.WriteListBegin(buf, thrift.I32, 1) }},
		{"WriteSetBegin", 0, func() { sinkInt = thrift.WriteSetBegin(buf, thrift.I32, 1) }},
		{"WriteMessageBegin", 0, func() { sinkInt = thrift.WriteMessageBegin(buf, "Echo", thrift.CALL, 1) }},
		{"ReadBool", 0, func() { sinkBool, sinkInt, sinkErr = thrift.ReadBool(str) }},
		{"ReadByte", 0, func() { sinkI8, sinkInt, sinkErr = thrift.ReadByte(str) }},
		{"ReadI16", 0, func() { sinkI16, sinkInt, sinkErr = thrift.ReadI16(str) }},
		{"ReadI32", 0, func() { sinkI32, sinkInt, sinkErr = thrift.ReadI32(str) }},
		{"ReadI64", 0, func() { sinkI64, sinkInt, sinkErr = thrift.ReadI64(str) }},
		{"ReadDouble", 0, func() { sinkF64, sinkInt, sinkErr = thrift.ReadDouble(str) }},
		{"ReadString", 1, func() { sinkString, sinkInt, sinkErr = thrift.ReadString(str) }},
		{"ReadBinary", 1, func() { sinkBytes, sinkInt, sinkErr = thrift.ReadBinary(str) }},
		{"ReadBinaryNoCopy", 0, func() { sinkBytes, sinkInt, sinkErr = thrift.ReadBinaryNoCopy(str) }},
		{"ReadFieldBegin", 0, func() { sinkType, sinkI16, sinkInt, sinkErr = thrift.ReadFieldBegin(field) }},
		{"ReadMapBegin", 0, func() { sinkType, sinkType, sinkInt, sinkInt, sinkErr = thrift.ReadMapBegin(mapHdr) }},
		{"ReadListBegin", 0, func() { sinkType, sinkInt, sinkInt, sinkErr = thrift.ReadListBegin(listHdr) }},
		{"ReadSetBegin", 0, func() { sinkType, sinkInt, sinkInt, sinkErr = thrift.ReadSetBegin(listHdr) }},
		{"ReadMessageBegin", 0, func() { sinkBytes, _, sinkI32, sinkInt, sinkErr = thrift.ReadMessageBegin(msg) }},
		{"Skip", 0, func() { sinkInt, sinkErr = thrift.Skip(body, thrift.STRUCT) }},
		{"MessageLength", 0, func() { sinkInt, sinkErr = thrift.MessageLength(msg) }},
		{"MessageLengthLimit", 0, func() { sinkInt, sinkErr = thrift.MessageLengthLimit(msg, 1<<20) }},
		{"Sample.FastWrite", 0, func() { sinkInt = sample.FastWrite(buf) }},
		{"EncodeMessage", 0, func() { sinkInt = thrift.EncodeMessage(buf, "Echo", thrift.REPLY, 1, exc) }},
		{"truncated i64", 0, func() { sinkI64, sinkInt, sinkErr = thrift.ReadI64(field) }},
		{"truncated struct", 0, func() { sinkInt, sinkErr = thrift.Skip(body[:30], thrift.STRUCT) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tc.f); got != tc.want {
				t.Errorf("%v allocations, want %v", got, tc.want)
			}
		})
	}
}

package thrift_test

import (
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
)

func BenchmarkWriteI64(b *testing.B) {
	buf := make([]byte, 8)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sinkInt = thrift.WriteI64(buf, int64(i))
	}
}

func BenchmarkReadI64(b *testing.B) {
	buf := unhex("0102030405060708")
	b.ReportAllocs()
	for b.Loop() {
		sinkI64, sinkInt, sinkErr = thrift.ReadI64(buf)
	}
}

func BenchmarkWriteString(b *testing.B) {
	buf := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		sinkInt = thrift.WriteString(buf, "hello, world")
	}
}

func BenchmarkReadString(b *testing.B) {
	buf := unhex("0000000c 68656c6c6f2c20776f726c64")
	b.ReportAllocs()
	for b.Loop() {
		sinkString, sinkInt, sinkErr = thrift.ReadString(buf)
	}
}

func BenchmarkReadBinaryNoCopy(b *testing.B) {
	buf := unhex("0000000c 68656c6c6f2c20776f726c64")
	b.ReportAllocs()
	for b.Loop() {
		sinkBytes, sinkInt, sinkErr = thrift.ReadBinaryNoCopy(buf)
	}
}

func BenchmarkFieldBegin(b *testing.B) {
	buf := make([]byte, 3)
	b.ReportAllocs()
	for b.Loop() {
		thrift.WriteFieldBegin(buf, thrift.I32, 7)
		sinkType, sinkI16, sinkInt, sinkErr = thrift.ReadFieldBegin(buf)
	}
}

func BenchmarkMessageBegin(b *testing.B) {
	buf := make([]byte, thrift.MessageBeginLength("Echo"))
	b.ReportAllocs()
	for b.Loop() {
		thrift.WriteMessageBegin(buf, "Echo", thrift.CALL, 1)
		sinkBytes, _, sinkI32, sinkInt, sinkErr = thrift.ReadMessageBegin(buf)
	}
}

func BenchmarkStructWrite(b *testing.B) {
	s := newSample()
	buf := make([]byte, s.BLength())
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		sinkInt = s.FastWrite(buf[:s.BLength()])
	}
}

func BenchmarkStructRead(b *testing.B) {
	buf := thrift.Marshal(newSample())
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		var s Sample
		sinkInt, sinkErr = s.FastRead(buf)
	}
}

func BenchmarkSkipStruct(b *testing.B) {
	buf := thrift.Marshal(newSample())
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		sinkInt, sinkErr = thrift.Skip(buf, thrift.STRUCT)
	}
}

func BenchmarkSkipFixedList(b *testing.B) {
	buf := make([]byte, thrift.ListBeginLength+1000*thrift.I64Length)
	thrift.WriteListBegin(buf, thrift.I64, 1000)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		sinkInt, sinkErr = thrift.Skip(buf, thrift.LIST)
	}
}

func BenchmarkMessageLength(b *testing.B) {
	msg, _ := encodeSample()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		sinkInt, sinkErr = thrift.MessageLength(msg)
	}
}

func BenchmarkEncodeException(b *testing.B) {
	e := thrift.NewApplicationException(thrift.UnknownMethod, "method Foo not found")
	buf := make([]byte, thrift.MessageSize("Foo", e))
	b.ReportAllocs()
	for b.Loop() {
		sinkInt = thrift.EncodeMessage(buf, "Foo", thrift.EXCEPTION, 1, e)
	}
}

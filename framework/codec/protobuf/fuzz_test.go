package protobuf_test

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ternhq/tern/framework/codec/protobuf"
)

func fuzzSeeds() [][]byte {
	return [][]byte{
		unhex(`90010001 00000004 "Echo" 00000001 0a02 "hi"`),
		unhex(`90010003 00000003 "Foo" 00000003 0801 1201 "x"`),
		unhex(`90010002 00000001 "m" 00000002`),
		unhex(`90010001 ffffffff "Echo" 00000001`),
		unhex(`90010001 00000000 00000001`),
		unhex(`80010001 00000004 "Echo" 00000001`),
		unhex(`9001`),
		{},
	}
}

// FuzzDecodeMessage checks that decoding never panics, that errors wrap a sentinel (or are the
// remote ErrorProto), and that whatever decodes re-encodes to the same header.
func FuzzDecodeMessage(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		method, typ, seq, n, err := protobuf.DecodeHeader(b)
		if err != nil {
			checkSentinel(t, err)
			return
		}
		re := make([]byte, protobuf.HeaderSize(string(method)))
		if protobuf.EncodeHeader(re, string(method), typ, seq) != n || !bytes.Equal(re, b[:n]) {
			t.Fatalf("header %x re-encodes as %x", b[:n], re)
		}
		_, _, _, err = protobuf.DecodeMessage(b, &wrapperspb.StringValue{})
		if _, isRemote := err.(*protobuf.ErrorProto); err != nil && !isRemote {
			checkSentinel(t, err)
		}
	})
}

// FuzzErrorProto checks the hand-written ErrorProto decoder against the protobuf runtime: whatever
// it accepts the runtime accepts with the same values, and a re-encoding decodes to the same values.
func FuzzErrorProto(f *testing.F) {
	for _, s := range []string{``, `0801 1201 "x"`, `08ffffffffffffffffff01`, `1801 0805`, `1201 ff`, `0c`} {
		f.Add(unhex(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := protobuf.DecodeErrorProto(b)
		m := dynamicpb.NewMessage(kitexErrorProto)
		rtErr := proto.Unmarshal(b, m)
		if err != nil {
			checkSentinel(t, err)
			if rtErr == nil {
				t.Fatalf("DecodeErrorProto(%x) = %v, the runtime accepts it", b, err)
			}
			return
		}
		if rtErr != nil {
			t.Fatalf("DecodeErrorProto(%x) accepts what the runtime rejects: %v", b, rtErr)
		}
		fields := kitexErrorProto.Fields()
		if id, msg := int32(m.Get(fields.ByNumber(1)).Int()), m.Get(fields.ByNumber(2)).String(); id != e.TypeID || msg != e.Message {
			t.Fatalf("DecodeErrorProto(%x) = %+v, runtime {%d %q}", b, e, id, msg)
		}
		again, err := protobuf.DecodeErrorProto(e.Append(nil))
		if err != nil || *again != *e {
			t.Fatalf("re-encoding of %+v decodes to %+v, %v", e, again, err)
		}
	})
}

package thrift_test

import (
	"errors"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
)

// Run the seeds with `go test`; fuzz with e.g. `go test -fuzz=FuzzSkip -fuzztime=30s`.

// checkSentinel fails unless err wraps one of the package's sentinels.
func checkSentinel(t *testing.T, err error) {
	t.Helper()
	for _, s := range []error{thrift.ErrTruncated, thrift.ErrInvalidData, thrift.ErrDepthLimit,
		thrift.ErrSizeLimit} {
		if errors.Is(err, s) {
			_ = err.Error()
			return
		}
	}
	t.Fatalf("error %v wraps no sentinel", err)
}

func fuzzSeeds() [][]byte {
	msg, hdr := encodeSample()
	seeds := [][]byte{msg[hdr:], msg, nested(10), nestedLists(5), nestedMixed(3),
		thrift.Marshal(thrift.NewApplicationException(thrift.UnknownMethod, "method Foo not found"))}
	for _, tc := range hugeCases {
		seeds = append(seeds, unhex(tc.in))
	}
	for _, tc := range wireCases {
		seeds = append(seeds, unhex(tc.hex))
	}
	return seeds
}

func FuzzSkip(f *testing.F) {
	for _, s := range fuzzSeeds() {
		for _, typ := range []thrift.TType{thrift.STRUCT, thrift.LIST, thrift.MAP, thrift.STRING} {
			f.Add(s, uint8(typ))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, typ uint8) {
		n, err := thrift.Skip(data, thrift.TType(typ))
		if err != nil {
			checkSentinel(t, err)
			if n != 0 {
				t.Fatalf("n = %d on error", n)
			}
			return
		}
		if n <= 0 || n > len(data) {
			t.Fatalf("n = %d for %d bytes", n, len(data))
		}
		// The value is self-delimiting: exactly its bytes skip the same, any prefix is truncated.
		if m, err := thrift.Skip(data[:n], thrift.TType(typ)); m != n || err != nil {
			t.Fatalf("Skip(data[:%d]) = %d, %v", n, m, err)
		}
		if _, err := thrift.Skip(data[:n-1], thrift.TType(typ)); !errors.Is(err, thrift.ErrTruncated) {
			t.Fatalf("Skip(data[:%d]) err = %v, want ErrTruncated", n-1, err)
		}
	})
}

func FuzzMessageLength(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := thrift.MessageLength(data)
		if err != nil {
			checkSentinel(t, err)
			if errors.Is(err, thrift.ErrSizeLimit) {
				t.Fatalf("size limit without a limit: %v", err)
			}
			return
		}
		if n < thrift.MessageBeginLength("")+1 || n > len(data) {
			t.Fatalf("n = %d for %d bytes", n, len(data))
		}
		if _, err := thrift.MessageLength(data[:n-1]); !errors.Is(err, thrift.ErrTruncated) {
			t.Fatalf("MessageLength(data[:%d]) err = %v, want ErrTruncated", n-1, err)
		}
		if m, err := thrift.MessageLengthLimit(data, n); m != n || err != nil {
			t.Fatalf("MessageLengthLimit(data, %d) = %d, %v", n, m, err)
		}
		if _, err := thrift.MessageLengthLimit(data, n-1); !errors.Is(err, thrift.ErrSizeLimit) {
			t.Fatalf("MessageLengthLimit(data, %d) err = %v, want ErrSizeLimit", n-1, err)
		}
		_, _, _, hdr, err := thrift.ReadMessageBegin(data)
		if err != nil {
			t.Fatalf("ReadMessageBegin failed on a message MessageLength accepted: %v", err)
		}
		if m, err := thrift.Skip(data[hdr:], thrift.STRUCT); err != nil || hdr+m != n {
			t.Fatalf("header %d + body %d (%v) != %d", hdr, m, err, n)
		}
	})
}

func FuzzApplicationException(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var e thrift.ApplicationException
		n, err := e.FastRead(data)
		if err != nil {
			checkSentinel(t, err)
			return
		}
		if skipped, err := thrift.Skip(data, thrift.STRUCT); err != nil || skipped != n {
			t.Fatalf("FastRead consumed %d, Skip %d (%v)", n, skipped, err)
		}
		b := thrift.Marshal(&e)
		var again thrift.ApplicationException
		if err := thrift.Unmarshal(b, &again); err != nil || again != e {
			t.Fatalf("re-decoded %+v (%v), want %+v", again, err, e)
		}
	})
}

func FuzzSample(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Sample
		n, err := s.FastRead(data)
		if err != nil {
			checkSentinel(t, err)
			return
		}
		if skipped, err := thrift.Skip(data, thrift.STRUCT); err != nil || skipped != n {
			t.Fatalf("FastRead consumed %d, Skip %d (%v)", n, skipped, err)
		}
		b := thrift.Marshal(&s)
		if m, err := thrift.Skip(b, thrift.STRUCT); err != nil || m != len(b) || len(b) != s.BLength() {
			t.Fatalf("re-encoded struct does not skip: %d of %d, %v", m, len(b), err)
		}
	})
}

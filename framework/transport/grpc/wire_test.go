package grpc

import (
	"bytes"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
)

func TestTimeoutEncoding(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Nanosecond, "1n"}, {99999999 * time.Nanosecond, "99999999n"}, {100 * time.Millisecond, "100000u"},
		{time.Second, "1000000u"}, {2 * time.Hour, "7200000m"}, {1000 * time.Hour, "3600000S"},
		{1e8 * time.Second, "1666667M"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := encodeTimeout(tt.d); got != tt.want {
				t.Fatalf("encodeTimeout(%v) = %q, want %q", tt.d, got, tt.want)
			}
			d, err := decodeTimeout(tt.want)
			if err != nil || d < tt.d {
				t.Fatalf("decodeTimeout(%q) = %v, %v", tt.want, d, err)
			}
		})
	}
	for _, s := range []string{"", "1", "1x", "123456789S", "-1S", "S"} {
		if _, err := decodeTimeout(s); err == nil {
			t.Errorf("decodeTimeout(%q) succeeded", s)
		}
	}
	if d, _ := decodeTimeout("5H"); d != 5*time.Hour {
		t.Errorf("5H = %v", d)
	}
}

func TestGrpcMessageEncoding(t *testing.T) {
	tests := []struct{ in, wire string }{
		{"plain text", "plain text"}, {"100%", "100%25"}, {"a\nb", "a%0Ab"}, {"héllo", "h%C3%A9llo"}, {"", ""},
	}
	for _, tt := range tests {
		if got := encodeGrpcMessage(tt.in); got != tt.wire {
			t.Errorf("encode(%q) = %q, want %q", tt.in, got, tt.wire)
		}
		if got := decodeGrpcMessage(tt.wire); got != tt.in {
			t.Errorf("decode(%q) = %q, want %q", tt.wire, got, tt.in)
		}
	}
	if got := decodeGrpcMessage("bad %zz %4"); got != "bad %zz %4" {
		t.Errorf("malformed escapes changed: %q", got)
	}
}

func TestGzipRoundTrip(t *testing.T) {
	in := bytes.Repeat([]byte("tern "), 1000)
	z, err := gzipCompress(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeMessage(z, "gzip", len(in))
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := decodeMessage(z, "gzip", len(in)-1); rpcerr.CodeOf(err) != rpcerr.CodeResourceExhausted {
		t.Fatalf("decompressed size limit: %v", err)
	}
	if _, err := decodeMessage(z, "snappy", len(in)); rpcerr.CodeOf(err) != rpcerr.CodeUnimplemented {
		t.Fatalf("unknown encoding: %v", err)
	}
}

func TestStatusOf(t *testing.T) {
	if c, _ := statusOf(rpcerr.New(rpcerr.CodeCircuitOpen, "x")); c != rpcerr.CodeUnavailable {
		t.Errorf("circuit open -> %v", c)
	}
	if c, m := statusOf(rpcerr.New(rpcerr.CodeNotFound, "gone")); c != rpcerr.CodeNotFound || m != "gone" {
		t.Errorf("not found -> %v %q", c, m)
	}
}

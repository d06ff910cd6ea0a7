package grpc

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
)

const (
	prefixLen     = 5 // compressed flag + u32 length
	defaultWindow = 65535
	maxWindow     = 1<<31 - 1
)

// gzipCompress compresses b.
func gzipCompress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeMessage decompresses a compressed message's payload with encoding, bounded by max.
func decodeMessage(data []byte, encoding string, max int) ([]byte, error) {
	switch encoding {
	case "gzip":
	case "", "identity":
		return nil, rpcerr.New(rpcerr.CodeInternal, "grpc: compressed message without grpc-encoding")
	default:
		return nil, rpcerr.Errorf(rpcerr.CodeUnimplemented, "grpc: unsupported compression %q", encoding)
	}
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, rpcerr.Errorf(rpcerr.CodeInternal, "grpc: decompress: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, rpcerr.Errorf(rpcerr.CodeInternal, "grpc: decompress: %v", err)
	}
	if len(out) > max {
		return nil, rpcerr.Errorf(rpcerr.CodeResourceExhausted,
			"grpc: received message after decompression larger than max %d", max)
	}
	return out, nil
}

// acceptsGzip reports whether a grpc-accept-encoding value lists gzip.
func acceptsGzip(v string) bool {
	for _, e := range strings.Split(v, ",") {
		if strings.TrimSpace(e) == "gzip" {
			return true
		}
	}
	return false
}

// encodeTimeout formats d as a grpc-timeout value: at most 8 digits and a unit, rounded up.
func encodeTimeout(d time.Duration) string {
	if d <= 0 {
		return "1n"
	}
	units := []struct {
		unit byte
		size time.Duration
	}{{'n', time.Nanosecond}, {'u', time.Microsecond}, {'m', time.Millisecond}, {'S', time.Second},
		{'M', time.Minute}, {'H', time.Hour}}
	for _, u := range units {
		n := (d + u.size - 1) / u.size
		if n <= 99999999 {
			return strconv.FormatInt(int64(n), 10) + string(u.unit)
		}
	}
	return "99999999H"
}

// decodeTimeout parses a grpc-timeout value.
func decodeTimeout(s string) (time.Duration, error) {
	if len(s) < 2 || len(s) > 9 {
		return 0, fmt.Errorf("grpc: malformed timeout %q", s)
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 'H':
		unit = time.Hour
	case 'M':
		unit = time.Minute
	case 'S':
		unit = time.Second
	case 'm':
		unit = time.Millisecond
	case 'u':
		unit = time.Microsecond
	case 'n':
		unit = time.Nanosecond
	default:
		return 0, fmt.Errorf("grpc: malformed timeout unit in %q", s)
	}
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("grpc: malformed timeout %q", s)
	}
	if max := uint64(1<<63-1) / uint64(unit); n > max {
		return 1<<63 - 1, nil
	}
	return time.Duration(n) * unit, nil
}

// encodeGrpcMessage percent-encodes a grpc-message value: bytes outside printable ASCII and '%'.
func encodeGrpcMessage(s string) string {
	const hex = "0123456789ABCDEF"
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '%' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '%' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// decodeGrpcMessage reverses encodeGrpcMessage; malformed escapes are kept as they are.
func decodeGrpcMessage(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 <= len(s)-1 {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// statusOf returns the gRPC code and message to send for err.
func statusOf(err error) (rpcerr.Code, string) {
	if err == nil {
		return rpcerr.CodeOK, ""
	}
	e := rpcerr.FromError(err)
	code := e.Code()
	switch {
	case code == rpcerr.CodeCircuitOpen:
		code = rpcerr.CodeUnavailable
	case code > rpcerr.CodeUnauthenticated:
		code = rpcerr.CodeUnknown
	}
	return code, e.Message()
}

// httpStatusCode maps a non-200 HTTP status to a gRPC code, as the gRPC spec asks.
func httpStatusCode(status int) rpcerr.Code {
	switch status {
	case 400:
		return rpcerr.CodeInternal
	case 401:
		return rpcerr.CodeUnauthenticated
	case 403:
		return rpcerr.CodePermissionDenied
	case 404:
		return rpcerr.CodeUnimplemented
	case 429, 502, 503, 504:
		return rpcerr.CodeUnavailable
	}
	return rpcerr.CodeUnknown
}

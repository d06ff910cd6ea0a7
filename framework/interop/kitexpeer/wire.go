package kitexpeer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	gthrift "github.com/cloudwego/gopkg/protocol/thrift"
)

// idleGap is how long a raw reader waits for more bytes before deciding a peer has sent all it will.
const idleGap = 300 * time.Millisecond

// MessageLen returns the length of the first complete message in b, whatever its framing (TTHeader,
// Framed or Buffered Thrift), and false while b holds only part of one.
func MessageLen(b []byte) (int, bool) {
	if len(b) < 8 {
		return 0, false
	}
	first := binary.BigEndian.Uint32(b)
	if first&0xFFFF0000 == 0x80010000 { // Buffered: skip-decode the message
		_, _, _, l, err := gthrift.Binary.ReadMessageBegin(b)
		if err != nil {
			return 0, false
		}
		d := gthrift.NewBytesSkipDecoder(b[l:])
		defer d.Release()
		body, err := d.Next(gthrift.STRUCT)
		if err != nil {
			return 0, false
		}
		return l + len(body), true
	}
	// TTHeader and Framed both start with a u32 length that excludes itself.
	n := 4 + int(first)
	return n, len(b) >= n
}

// CaptureRequest listens on a fresh 127.0.0.1 port, runs call with that address, and returns the bytes
// that arrived on the first connection: one whole message, or what came before the peer went quiet.
// The connection is closed without a reply, so call sees an error; call runs until it returns.
func CaptureRequest(ctx context.Context, call func(addr string)) ([]byte, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	type result struct {
		b   []byte
		err error
	}
	got := make(chan result, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- result{err: err}
			return
		}
		defer conn.Close()
		b, err := readMessage(ctx, conn)
		got <- result{b, err}
	}()
	done := make(chan struct{})
	go func() { defer close(done); call(ln.Addr().String()) }()

	var r result
	select {
	case r = <-got:
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	ln.Close()
	select {
	case <-done:
	case <-ctx.Done():
		return r.b, errors.Join(r.err, fmt.Errorf("kitexpeer: client call did not return: %w", ctx.Err()))
	}
	return r.b, r.err
}

// Exchange dials addr, writes req and returns what comes back: one whole message, or nothing if the
// peer stays silent for a while (a oneway call) or closes the connection first.
func Exchange(ctx context.Context, addr string, req []byte) ([]byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return ExchangeConn(ctx, conn, req)
}

// ExchangeConn is Exchange on a connection the caller dialed (and closes), so it can send more
// or watch whether the peer closes it.
func ExchangeConn(ctx context.Context, conn net.Conn, req []byte) ([]byte, error) {
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write(req); err != nil {
		return nil, err
	}
	return readMessage(ctx, conn)
}

// PeerCloses reports whether the peer closes conn (or resets it) within wait, reading and discarding
// anything it sends meanwhile.
func PeerCloses(conn net.Conn, wait time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 512)
	for {
		_, err := conn.Read(buf)
		if err != nil {
			return !errors.Is(err, os.ErrDeadlineExceeded)
		}
	}
}

// readMessage reads from conn until one whole message has arrived, the peer closes, or it has been
// quiet for idleGap after its last bytes (or from the start).
func readMessage(ctx context.Context, conn net.Conn) ([]byte, error) {
	var buf []byte
	chunk := make([]byte, 4096)
	for {
		if n, ok := MessageLen(buf); ok {
			if n < len(buf) {
				return buf, fmt.Errorf("kitexpeer: %d bytes after the first message", len(buf)-n)
			}
			return buf, nil
		}
		deadline := time.Now().Add(idleGap)
		if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
			deadline = dl
		}
		_ = conn.SetReadDeadline(deadline)
		n, err := conn.Read(chunk)
		buf = append(buf, chunk[:n]...)
		switch {
		case err == nil:
		case errors.Is(err, io.EOF), errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, net.ErrClosed),
			errors.Is(err, syscall.ECONNRESET):
			return buf, ctx.Err()
		default:
			return buf, err
		}
	}
}

package client_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// callAllocs is what a pooled TTHeader Echo call allocates on the client, besides the transport: the
// arguments and the result (generated code hands them to Call as interfaces), the call's context (its
// rpcinfo included), and the decoded response with its message string and its meta map (this Echo's
// Response has one, which the reply always carries, empty).
const callAllocs = 6

func TestCallAllocations(t *testing.T) {
	msg := strings.Repeat("x", 1024)
	conn := &echoConn{result: &echo.EchoEchoResult{Success: &echo.Response{Message: msg}}}
	dials := 0
	dial := func(context.Context, string, string, time.Duration) (transport.Conn, error) {
		dials++
		return conn, nil
	}
	cli := echoservice.MustNewClient("echo", client.WithHostPorts("127.0.0.1:1"), client.WithDialer(dial))
	defer cli.Close()
	ctx := context.Background()
	req := &echo.Request{Message: msg}
	call := func() {
		resp, err := cli.Echo(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Message != msg {
			t.Fatalf("reply of %d bytes, want %d", len(resp.Message), len(msg))
		}
	}
	call()
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	allocs := testing.AllocsPerRun(200, call)
	if dials != 1 {
		t.Fatalf("%d dials, want 1: the pooled connection was not reused", dials)
	}
	if allocs > callAllocs {
		t.Errorf("one call allocates %.1f times, want at most %d", allocs, callAllocs)
	}
}

// echoConn is an in-memory connection that answers every request flushed to it with an Echo reply of
// the same sequence id, allocating nothing once its buffers have grown.
type echoConn struct {
	in     []byte // the replies, read from r on
	r      int
	out    []byte // the request being written
	hdr    ttheader.Header
	result *echo.EchoEchoResult
}

var errNoReply = errors.New("echoConn: no reply to read")

func (c *echoConn) Peek(n int) ([]byte, error) {
	if len(c.in)-c.r < n {
		return nil, errNoReply
	}
	return c.in[c.r : c.r+n], nil
}

func (c *echoConn) Next(n int) ([]byte, error) {
	b, err := c.Peek(n)
	c.r += len(b)
	return b, err
}

func (c *echoConn) Skip(n int) error { _, err := c.Next(n); return err }

func (c *echoConn) Release() error {
	if c.r == len(c.in) {
		c.in, c.r = c.in[:0], 0
	}
	return nil
}

func (c *echoConn) Len() int { return len(c.in) - c.r }

func (c *echoConn) Malloc(n int) ([]byte, error) {
	at := len(c.out)
	c.out = grow(c.out, n)
	return c.out[at:], nil
}

func (c *echoConn) WriteBinary(b []byte) (int, error) {
	c.out = append(c.out, b...)
	return len(b), nil
}

// Flush answers the request written: a TTHeader frame, whose SEQID is the call's sequence id.
func (c *echoConn) Flush() error {
	seq := int32(binary.BigEndian.Uint32(c.out[8:12]))
	c.out = c.out[:0]
	c.hdr.Reset()
	return frame.Write((*replyWriter)(c), transport.TTHeader, &c.hdr, "Echo", thrift.REPLY, seq, c.result, 0)
}

func (c *echoConn) IsActive() bool                      { return true }
func (c *echoConn) SetReadTimeout(time.Duration) error  { return nil }
func (c *echoConn) SetWriteTimeout(time.Duration) error { return nil }
func (c *echoConn) LocalAddr() net.Addr                 { return echoAddr }
func (c *echoConn) RemoteAddr() net.Addr                { return echoAddr }
func (c *echoConn) Close() error                        { return nil }

var echoAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}

// replyWriter writes an echoConn's replies into its input.
type replyWriter echoConn

func (w *replyWriter) Malloc(n int) ([]byte, error) {
	at := len(w.in)
	w.in = grow(w.in, n)
	return w.in[at:], nil
}

func (w *replyWriter) WriteBinary(b []byte) (int, error) {
	w.in = append(w.in, b...)
	return len(b), nil
}

func (w *replyWriter) Flush() error { return nil }

// grow extends b by n bytes, reallocating only when its capacity is short.
func grow(b []byte, n int) []byte {
	at := len(b)
	if cap(b)-at < n {
		grown := make([]byte, at, 2*cap(b)+n)
		copy(grown, b)
		b = grown
	}
	return b[:at+n]
}

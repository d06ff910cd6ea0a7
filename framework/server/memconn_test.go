package server_test

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// memConn is an in-memory transport.Conn for driving a server connection without a socket: reads come
// from the requests queued with push, writes collect until Flush, which counts. Reading and writing
// may run concurrently, as on a real connection; writes must be serialised by the caller.
type memConn struct {
	rmu sync.Mutex // the reading side
	in  []byte
	r   int

	wmu     sync.Mutex // the writing side, and out
	pending []byte     // written since the last Flush
	out     []byte     // flushed
	mallocs atomic.Int64
	flushes atomic.Int64
	// onFlush, when set, runs at the start of every Flush, outside the connection's locks.
	onFlush func()
}

var errNoInput = errors.New("memConn: no more input")

func (c *memConn) push(b []byte) {
	c.rmu.Lock()
	c.in = append(c.in, b...)
	c.rmu.Unlock()
}

// rewind makes the bytes already read readable again, so one request can be served many times.
func (c *memConn) rewind() {
	c.rmu.Lock()
	c.r = 0
	c.rmu.Unlock()
}

func (c *memConn) Peek(n int) ([]byte, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if len(c.in)-c.r < n {
		return nil, errNoInput
	}
	return c.in[c.r : c.r+n], nil
}

func (c *memConn) Next(n int) ([]byte, error) {
	b, err := c.Peek(n)
	c.rmu.Lock()
	c.r += len(b)
	c.rmu.Unlock()
	return b, err
}

func (c *memConn) Skip(n int) error { _, err := c.Next(n); return err }
func (c *memConn) Release() error   { return nil }

func (c *memConn) Len() int {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	return len(c.in) - c.r
}

func (c *memConn) Malloc(n int) ([]byte, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	defer c.mallocs.Add(1) // once the bytes count as pending
	at := len(c.pending)
	if cap(c.pending)-at < n {
		grown := make([]byte, at, 2*cap(c.pending)+n)
		copy(grown, c.pending)
		c.pending = grown
	}
	c.pending = c.pending[:at+n]
	return c.pending[at:], nil
}

func (c *memConn) WriteBinary(b []byte) (int, error) {
	c.wmu.Lock()
	c.pending = append(c.pending, b...)
	c.wmu.Unlock()
	return len(b), nil
}

func (c *memConn) Flush() error {
	if c.onFlush != nil {
		c.onFlush()
	}
	c.wmu.Lock()
	c.out = append(c.out, c.pending...)
	c.pending = c.pending[:0]
	c.flushes.Add(1) // once the bytes are out
	c.wmu.Unlock()
	return nil
}

// written returns a copy of the bytes flushed so far and forgets them.
func (c *memConn) written() []byte {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b := append([]byte(nil), c.out...)
	c.out = c.out[:0]
	return b
}

// pendingLen is the number of bytes written and not flushed.
func (c *memConn) pendingLen() int {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return len(c.pending)
}

// discard forgets the bytes flushed so far.
func (c *memConn) discard() {
	c.wmu.Lock()
	c.out = c.out[:0]
	c.wmu.Unlock()
}

func (c *memConn) IsActive() bool                      { return true }
func (c *memConn) SetReadTimeout(time.Duration) error  { return nil }
func (c *memConn) SetWriteTimeout(time.Duration) error { return nil }
func (c *memConn) LocalAddr() net.Addr                 { return memAddr }
func (c *memConn) RemoteAddr() net.Addr                { return memAddr }
func (c *memConn) Close() error                        { return nil }

var memAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}

// echoRequest encodes a TTHeader Echo call; outOfOrder marks it as a multiplexing client's.
func echoRequest(seq int32, msg string, outOfOrder bool) []byte {
	var w memConn
	var h ttheader.Header
	if outOfOrder {
		h.Flags |= ttheader.FlagSupportOutOfOrder
	}
	args := &echo.EchoEchoArgs{Req: &echo.Request{Message: msg}}
	if err := frame.Write(&w, transport.TTHeader, &h, "Echo", thrift.CALL, seq, args, 0); err != nil {
		panic(err)
	}
	return w.written()
}

// readReplies decodes the Echo replies in b, by sequence id.
func readReplies(b []byte) (map[int32]string, error) {
	in := &memConn{in: b}
	got := map[int32]string{}
	for in.Len() > 0 {
		var m frame.Message
		if err := frame.Read(in, 0, &m); err != nil {
			return got, err
		}
		var res echo.EchoEchoResult
		name, typ, seq, n, err := thrift.ReadMessageBegin(m.Payload)
		if err != nil {
			return got, err
		}
		if string(name) != "Echo" || typ != thrift.REPLY {
			return got, errors.New("not an Echo reply: " + string(name))
		}
		if _, err := res.FastRead(m.Payload[n:]); err != nil {
			return got, err
		}
		if res.Success == nil {
			return got, errors.New("reply without a result")
		}
		got[seq] = res.Success.Message
	}
	return got, nil
}

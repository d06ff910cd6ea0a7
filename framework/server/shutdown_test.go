package server_test

import (
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// rawConn adapts a net.Conn to the frame package's reader and writer, for tests that speak the wire
// protocol by hand.
type rawConn struct {
	net.Conn
	in  []byte
	out []byte
}

func (c *rawConn) fill(n int) error {
	for len(c.in) < n {
		buf := make([]byte, 4096)
		m, err := c.Conn.Read(buf)
		if err != nil {
			return err
		}
		c.in = append(c.in, buf[:m]...)
	}
	return nil
}
func (c *rawConn) Peek(n int) ([]byte, error) {
	if err := c.fill(n); err != nil {
		return nil, err
	}
	return c.in[:n], nil
}
func (c *rawConn) Next(n int) ([]byte, error) {
	if err := c.fill(n); err != nil {
		return nil, err
	}
	b := c.in[:n]
	c.in = c.in[n:]
	return b, nil
}
func (c *rawConn) Skip(n int) error                  { _, err := c.Next(n); return err }
func (c *rawConn) Release() error                    { return nil }
func (c *rawConn) Len() int                          { return len(c.in) }
func (c *rawConn) Malloc(n int) ([]byte, error)      { c.out = make([]byte, n); return c.out, nil }
func (c *rawConn) WriteBinary(b []byte) (int, error) { c.out = append(c.out, b...); return len(b), nil }
func (c *rawConn) Flush() error {
	_, err := c.Conn.Write(c.out)
	c.out = nil
	return err
}

// TestStopAsksClientsToResetConnections checks that a reply written while the server stops carries the
// TTHeader "crrst" key, which tells a pooled client to drop the connection.
func TestStopAsksClientsToResetConnections(t *testing.T) {
	svr, addr, h := echotest.StartServer(t)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	c := &rawConn{Conn: nc}
	var hdr ttheader.Header
	hdr.SetStr(ttheader.KeyIDLServiceName, "Echo")
	args := &echo.EchoEchoArgs{Req: &echo.Request{Message: "bye", DelayMs: 300}}
	if err := frame.Write(c, transport.TTHeader, &hdr, "Echo", thrift.CALL, 9, args, 0); err != nil {
		t.Fatal(err)
	}
	for h.Started.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- svr.Stop() }()

	var m frame.Message
	if err := frame.Read(c, 0, &m); err != nil {
		t.Fatalf("reading the reply: %v", err)
	}
	if v, ok := m.Header.Str(ttheader.KeyConnResetFlag); !ok || string(v) != "1" {
		t.Fatalf("reply during shutdown has no crrst=1 header (strs %v)", m.Header.Strs)
	}
	_, typ, seq, n, err := thrift.ReadMessageBegin(m.Payload)
	if err != nil || typ != thrift.REPLY || seq != 9 {
		t.Fatalf("reply header: typ %v seq %d err %v", typ, seq, err)
	}
	var res echo.EchoEchoResult
	if _, err := res.FastRead(m.Payload[n:]); err != nil || res.Success.GetMessage() != "bye" {
		t.Fatalf("reply body: %v %v", res.Success, err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("the stopped server still accepts connections")
	}
}

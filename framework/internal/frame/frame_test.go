package frame_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// pipe is an in-memory transport.Reader and transport.Writer.
type pipe struct {
	buf []byte // written and flushed, not yet read
	out []byte // written, not yet flushed
	r   int
}

var errShort = errors.New("no more bytes")

func (p *pipe) Peek(n int) ([]byte, error) {
	if len(p.buf)-p.r < n {
		return nil, errShort
	}
	return p.buf[p.r : p.r+n], nil
}
func (p *pipe) Next(n int) ([]byte, error) {
	b, err := p.Peek(n)
	p.r += len(b)
	return b, err
}
func (p *pipe) Skip(n int) error { _, err := p.Next(n); return err }
func (p *pipe) Release() error {
	p.buf, p.r = append(p.buf[:0], p.buf[p.r:]...), 0
	return nil
}
func (p *pipe) Len() int { return len(p.buf) - p.r }
func (p *pipe) Malloc(n int) ([]byte, error) {
	if cap(p.out) < n {
		p.out = make([]byte, n)
	}
	p.out = p.out[:n]
	return p.out, nil
}
func (p *pipe) WriteBinary(b []byte) (int, error) { p.out = append(p.out, b...); return len(b), nil }
func (p *pipe) Flush() error {
	p.buf = append(p.buf, p.out...)
	p.out = p.out[:0]
	return nil
}

var protocols = []transport.Protocol{transport.TTHeader, transport.TTHeaderFramed, transport.Framed, transport.Buffered}

func TestRoundTripEveryProtocol(t *testing.T) {
	args := &echo.EchoEchoArgs{Req: &echo.Request{Message: "hello", MetaKeys: []string{"a", "b"}}}
	for _, proto := range protocols {
		t.Run(proto.String(), func(t *testing.T) {
			p := &pipe{}
			var h ttheader.Header
			h.SetStr(ttheader.KeyIDLServiceName, "Echo")
			for seq := int32(1); seq <= 2; seq++ { // two messages back to back
				if err := frame.Write(p, proto, &h, "Echo", thrift.CALL, seq, args, 0); err != nil {
					t.Fatal(err)
				}
			}
			for seq := int32(1); seq <= 2; seq++ {
				var m frame.Message
				if err := frame.Read(p, 0, &m); err != nil {
					t.Fatalf("Read: %v", err)
				}
				if m.Protocol != proto {
					t.Fatalf("protocol %v, want %v", m.Protocol, proto)
				}
				if proto&transport.TTHeader != 0 {
					if isn, _ := m.Header.Str(ttheader.KeyIDLServiceName); string(isn) != "Echo" || m.Header.SeqID != seq {
						t.Fatalf("header: isn %q seq %d", isn, m.Header.SeqID)
					}
				}
				name, typ, gotSeq, n, err := thrift.ReadMessageBegin(m.Payload)
				if err != nil || string(name) != "Echo" || typ != thrift.CALL || gotSeq != seq {
					t.Fatalf("message header: %q %v %d %v", name, typ, gotSeq, err)
				}
				var got echo.EchoEchoArgs
				if _, err := got.FastRead(m.Payload[n:]); err != nil || got.Req.Message != "hello" || len(got.Req.MetaKeys) != 2 {
					t.Fatalf("args: %+v %v", got.Req, err)
				}
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	big := make([]byte, 8)
	binary.BigEndian.PutUint32(big, 1<<31-16)
	binary.BigEndian.PutUint32(big[4:], transport.ThriftMagic|1)
	tests := []struct {
		name  string
		bytes []byte
		code  rpcerr.Code
	}{
		{"unknown protocol", []byte("GET / HTTP/1.1\r\n"), rpcerr.CodeInvalidArgument},
		{"2 GiB framed", big, rpcerr.CodeResourceExhausted},
		{"2 GiB TTHeader", []byte{0x7F, 0xFF, 0xFF, 0xF0, 0x10, 0, 0, 0}, rpcerr.CodeResourceExhausted},
		{"HTTP/2", []byte(transport.HTTP2Preface), rpcerr.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &pipe{buf: tt.bytes}
			var m frame.Message
			err := frame.Read(p, 1<<20, &m)
			if rpcerr.CodeOf(err) != tt.code {
				t.Fatalf("err = %v, want code %v", err, tt.code)
			}
		})
	}
}

func TestWriteRefusesOversizedMessage(t *testing.T) {
	p := &pipe{}
	args := &echo.EchoEchoArgs{Req: &echo.Request{Message: string(make([]byte, 2048))}}
	err := frame.Write(p, transport.Framed, nil, "Echo", thrift.CALL, 1, args, 1024)
	if rpcerr.CodeOf(err) != rpcerr.CodeResourceExhausted || len(p.buf)+len(p.out) != 0 {
		t.Fatalf("err = %v, %d bytes written", err, len(p.buf)+len(p.out))
	}
}

func TestWriteReadAllocations(t *testing.T) {
	args := &echo.EchoEchoArgs{Req: &echo.Request{Message: "hello"}}
	p := &pipe{out: make([]byte, 0, 4096), buf: make([]byte, 0, 4096)}
	var h ttheader.Header
	var m frame.Message
	h.SetStr(ttheader.KeyIDLServiceName, "Echo")
	h.SetInt(ttheader.ToMethod, "Echo")
	for _, proto := range protocols {
		allocs := testing.AllocsPerRun(200, func() {
			if err := frame.Write(p, proto, &h, "Echo", thrift.CALL, 1, args, 0); err != nil {
				t.Fatal(err)
			}
			if err := frame.Read(p, 0, &m); err != nil {
				t.Fatal(err)
			}
			_ = p.Release()
		})
		if allocs != 0 {
			t.Errorf("%v: Write+Read allocate %.1f times per message", proto, allocs)
		}
	}
}

package client_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/retry"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/grpc"
)

// refusingPeer is a hand-driven HTTP/2 gRPC server: refuse decides, for the n-th request stream it
// sees (from 0, across connections), whether to refuse it with a GOAWAY, with RST_STREAM
// REFUSED_STREAM, or (refuseNone) to echo the request message back.
type refusingPeer struct {
	refuse  func(n int) refusal
	streams atomic.Int32
	conns   atomic.Int32
}

type refusal int

const (
	refuseNone refusal = iota
	refuseGoAway
	refuseReset
)

func (p *refusingPeer) start(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			p.conns.Add(1)
			wg.Add(1)
			go func() { defer wg.Done(); defer nc.Close(); p.serve(nc) }()
		}
	}()
	return ln.Addr().String()
}

func (p *refusingPeer) serve(nc net.Conn) {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(nc, preface); err != nil {
		return
	}
	fr := http2.NewFramer(nc, nc)
	if fr.WriteSettings() != nil {
		return
	}
	answering := map[uint32]bool{} // streams to echo, once their request has arrived
	var body bytes.Buffer
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				_ = fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				_ = fr.WritePing(true, f.Data)
			}
		case *http2.HeadersFrame:
			switch p.refuse(int(p.streams.Add(1) - 1)) {
			case refuseGoAway: // the server is going away and never saw this stream; as servers do, it
				// keeps the connection until the client, left with no stream, closes it
				_ = fr.WriteGoAway(f.StreamID-1, http2.ErrCodeNo, nil)
			case refuseReset:
				_ = fr.WriteRSTStream(f.StreamID, http2.ErrCodeRefusedStream)
			default:
				answering[f.StreamID] = true
				body.Reset()
			}
		case *http2.DataFrame:
			if !answering[f.StreamID] {
				continue
			}
			body.Write(f.Data())
			if f.StreamEnded() {
				if echoGRPC(fr, f.StreamID, body.Bytes()) != nil {
					return
				}
				delete(answering, f.StreamID)
			}
		}
	}
}

// echoGRPC answers stream id with msg (a length-prefixed gRPC message) and status OK.
func echoGRPC(fr *http2.Framer, id uint32, msg []byte) error {
	block := func(fields ...string) []byte {
		var b bytes.Buffer
		enc := hpack.NewEncoder(&b)
		for i := 0; i < len(fields); i += 2 {
			_ = enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
		}
		return b.Bytes()
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, EndHeaders: true,
		BlockFragment: block(":status", "200", "content-type", "application/grpc")}); err != nil {
		return err
	}
	if err := fr.WriteData(id, false, msg); err != nil {
		return err
	}
	return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, EndHeaders: true, EndStream: true,
		BlockFragment: block("grpc-status", "0")})
}

// firstOnly refuses the first stream with r and answers the others.
func firstOnly(r refusal) func(n int) refusal {
	return func(n int) refusal {
		if n == 0 {
			return r
		}
		return refuseNone
	}
}

// A unary gRPC call the server refused before processing it is sent once more (on a fresh connection
// after a GOAWAY), with no retry policy, as grpc-go does; refused twice, it fails Unavailable with
// an error the retry policy knows was never processed.
func TestGRPCRefusedCallsAreSentAgain(t *testing.T) {
	cases := []struct {
		name      string
		refuse    func(n int) refusal
		wantErr   bool
		wantConns int32
	}{
		{"GOAWAY", firstOnly(refuseGoAway), false, 2},
		{"REFUSED_STREAM", firstOnly(refuseReset), false, 1},
		{"refused twice", func(int) refusal { return refuseReset }, true, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			peer := &refusingPeer{refuse: tc.refuse}
			cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(peer.start(t)),
				client.WithTransportProtocol(transport.GRPC))
			defer cli.Close()
			resp, err := cli.Say(testContext(t), &pbecho.Msg{Value: "hi"})
			if tc.wantErr {
				if rpcerr.CodeOf(err) != rpcerr.CodeUnavailable || !errors.Is(err, grpc.ErrRefused) || !retry.IsNotSent(err) {
					t.Fatalf("err = %v; want Unavailable, refused, not sent", err)
				}
			} else if err != nil || resp.GetValue() != "hi" {
				t.Fatalf("Say = %v, %v; want the echo of the second attempt", resp, err)
			}
			if got := peer.streams.Load(); got != 2 {
				t.Errorf("%d request streams, want 2", got)
			}
			if got := peer.conns.Load(); got != tc.wantConns {
				t.Errorf("%d connections, want %d", got, tc.wantConns)
			}
		})
	}
}

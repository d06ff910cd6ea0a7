package grpc_test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/ternhq/tern/framework/transport/grpc"
)

// rawPeer connects to the server and speaks raw HTTP/2 frames.
func rawPeer(t *testing.T, addr string) (net.Conn, *http2.Framer) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	return nc, http2.NewFramer(nc, bufio.NewReader(nc))
}

// expectGoAway reads frames until a GOAWAY with code, then expects the connection to close.
func expectGoAway(t *testing.T, fr *http2.Framer, code http2.ErrCode) {
	t.Helper()
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("no GOAWAY before %v", err)
		}
		if ga, ok := f.(*http2.GoAwayFrame); ok {
			if ga.ErrCode != code {
				t.Fatalf("GOAWAY code %v, want %v", ga.ErrCode, code)
			}
			break
		}
	}
	for {
		if _, err := fr.ReadFrame(); err != nil {
			return // closed
		}
	}
}

func TestBadPeers(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	good := dial(t, s.addr, grpc.DefaultConfig())
	tests := []struct {
		name string
		send func(nc net.Conn, fr *http2.Framer)
		code http2.ErrCode
	}{
		{"garbage after preface", func(nc net.Conn, fr *http2.Framer) {
			nc.Write([]byte(http2.ClientPreface + "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		}, http2.ErrCodeFrameSize},
		{"first frame not settings", func(nc net.Conn, fr *http2.Framer) {
			nc.Write([]byte(http2.ClientPreface))
			fr.WritePing(false, [8]byte{})
		}, http2.ErrCodeProtocol},
		{"oversized frame", func(nc net.Conn, fr *http2.Framer) {
			nc.Write([]byte(http2.ClientPreface))
			fr.WriteSettings()
			fr.WriteRawFrame(http2.FrameData, 0, 1, make([]byte, 20000))
		}, http2.ErrCodeFrameSize},
		{"connection window overflow", func(nc net.Conn, fr *http2.Framer) {
			nc.Write([]byte(http2.ClientPreface))
			fr.WriteSettings()
			fr.WriteWindowUpdate(0, 1<<31-1)
		}, http2.ErrCodeFlowControl},
		{"initial window size overflow", func(nc net.Conn, fr *http2.Framer) {
			nc.Write([]byte(http2.ClientPreface))
			fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 31})
		}, http2.ErrCodeFlowControl},
		{"even stream id", func(nc net.Conn, fr *http2.Framer) {
			nc.Write([]byte(http2.ClientPreface))
			fr.WriteSettings()
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 2, BlockFragment: []byte{0x83}, EndHeaders: true})
		}, http2.ErrCodeProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, fr := rawPeer(t, s.addr)
			go tt.send(nc, fr)
			expectGoAway(t, fr, tt.code)
			if _, _, _, err := good.Invoke(testCtx(t), "/test.Echo/Echo", nil, []byte("still ok")); err != nil {
				t.Fatalf("good connection broken: %v", err)
			}
		})
	}
}

func TestBadPreface(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	nc, _ := rawPeer(t, s.addr)
	nc.Write([]byte("GET / HTTP/1.1\r\nHost: example\r\n\r\n"))
	buf := make([]byte, 1)
	if _, err := nc.Read(buf); err == nil {
		t.Fatal("connection not closed after a bad preface")
	}
}

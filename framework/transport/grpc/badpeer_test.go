package grpc_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/ternhq/tern/framework/transport/grpc"
)

// requestBlock encodes the headers of a call to method with extra fields (name, value, ...).
func requestBlock(enc *hpack.Encoder, buf *bytes.Buffer, method string, extra ...string) []byte {
	buf.Reset()
	kv := append([]string{":method", "POST", ":scheme", "http", ":path", method, ":authority", "x",
		"content-type", "application/grpc", "te", "trailers"}, extra...)
	for i := 0; i+1 < len(kv); i += 2 {
		_ = enc.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return append([]byte(nil), buf.Bytes()...)
}

// handshake writes the client preface and empty settings.
func handshake(nc net.Conn, fr *http2.Framer) {
	nc.Write([]byte(http2.ClientPreface))
	fr.WriteSettings()
}

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
	cfg := grpc.DefaultConfig()
	cfg.MaxConcurrentStreams = 16
	s := startStreamServer(t, cfg, nil)
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
		{"stream flood", func(nc net.Conn, fr *http2.Framer) {
			handshake(nc, fr)
			var buf bytes.Buffer
			enc := hpack.NewEncoder(&buf)
			for id := uint32(1); id < 2*(16+200); id += 2 {
				block := requestBlock(enc, &buf, "/test.Stream/Block")
				if fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block, EndHeaders: true}) != nil {
					return
				}
			}
		}, http2.ErrCodeEnhanceYourCalm},
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

// TestServerDeadline sends a grpc-timeout from a client that never cancels: the server ends the call
// with DeadlineExceeded, and the handler's context says so.
func TestServerDeadline(t *testing.T) {
	seen := make(chan error, 1)
	s := startStreamServer(t, grpc.DefaultConfig(), seen)
	nc, fr := rawPeer(t, s.addr)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	handshake(nc, fr)
	var buf bytes.Buffer
	block := requestBlock(hpack.NewEncoder(&buf), &buf, "/test.Stream/Block", "grpc-timeout", "50m")
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block, EndHeaders: true})
	if got := readStatus(t, fr, 1); got != "4" {
		t.Fatalf("grpc-status %q, want 4", got)
	}
	if err := <-seen; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("handler saw %v", err)
	}
}

// TestStreamWindowOverflowResetsStream checks that a stream-level flow-control error resets the stream
// only: the connection keeps serving.
func TestStreamWindowOverflowResetsStream(t *testing.T) {
	s := startStreamServer(t, grpc.DefaultConfig(), nil)
	nc, fr := rawPeer(t, s.addr)
	handshake(nc, fr)
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: requestBlock(enc, &buf, "/test.Stream/Block"), EndHeaders: true})
	fr.WriteWindowUpdate(1, 1<<31-1)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: requestBlock(enc, &buf, "/test.Echo/Echo"),
		EndHeaders: true})
	fr.WriteData(3, true, []byte{0, 0, 0, 0, 2, 'o', 'k'})
	reset, answered := false, false
	for !reset || !answered {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reset %v, answered %v: %v", reset, answered, err)
		}
		switch f := f.(type) {
		case *http2.RSTStreamFrame:
			reset = reset || f.StreamID == 1 && f.ErrCode == http2.ErrCodeFlowControl
		case *http2.DataFrame:
			answered = answered || f.StreamID == 3 && bytes.Equal(f.Data(), []byte{0, 0, 0, 0, 2, 'o', 'k'})
		case *http2.GoAwayFrame:
			t.Fatalf("GOAWAY %v", f.ErrCode)
		}
	}
}

// TestRefusedStream opens one stream beyond the server's limit: it alone is refused, and the
// connection stays.
func TestRefusedStream(t *testing.T) {
	cfg := grpc.DefaultConfig()
	cfg.MaxConcurrentStreams = 4
	s := startStreamServer(t, cfg, nil)
	nc, fr := rawPeer(t, s.addr)
	handshake(nc, fr)
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	for id := uint32(1); id <= 9; id += 2 { // five streams; the server runs four
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: requestBlock(enc, &buf, "/test.Stream/Block"),
			EndHeaders: true})
	}
	fr.WritePing(false, [8]byte{1})
	refused := map[uint32]bool{}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		switch f := f.(type) {
		case *http2.RSTStreamFrame:
			refused[f.StreamID] = f.ErrCode == http2.ErrCodeRefusedStream
		case *http2.GoAwayFrame:
			t.Fatalf("GOAWAY %v", f.ErrCode)
		case *http2.PingFrame:
			if f.IsAck() { // every HEADERS before the PING has been handled
				if len(refused) != 1 || !refused[9] {
					t.Fatalf("resets: %v, want stream 9 refused", refused)
				}
				return
			}
		}
	}
}

// TestBadRequests sends malformed requests: each gets a status, and the connection stays.
func TestBadRequests(t *testing.T) {
	s := startStreamServer(t, grpc.DefaultConfig(), nil)
	nc, fr := rawPeer(t, s.addr)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	handshake(nc, fr)
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	tests := []struct {
		name   string
		fields []string // name, value, ...
		status string
	}{
		{"not gRPC content", []string{":method", "POST", ":scheme", "http", ":path", "/test.Echo/Echo",
			":authority", "x", "content-type", "text/html"}, "415 13"},
		{"GET", []string{":method", "GET", ":scheme", "http", ":path", "/test.Echo/Echo",
			":authority", "x", "content-type", "application/grpc"}, "13"},
		{"path without a slash", []string{":method", "POST", ":scheme", "http", ":path", "test.Echo/Echo",
			":authority", "x", "content-type", "application/grpc"}, "12"},
		{"unknown method", []string{":method", "POST", ":scheme", "http", ":path", "/test.Echo/Nope",
			":authority", "x", "content-type", "application/grpc"}, "12"},
		{"bad timeout", []string{":method", "POST", ":scheme", "http", ":path", "/test.Echo/Echo",
			":authority", "x", "content-type", "application/grpc", "grpc-timeout", "soon"}, "13"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := uint32(2*i + 1)
			buf.Reset()
			for j := 0; j < len(tt.fields); j += 2 {
				_ = enc.WriteField(hpack.HeaderField{Name: tt.fields[j], Value: tt.fields[j+1]})
			}
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: buf.Bytes(), EndHeaders: true, EndStream: true})
			if got := readStatus(t, fr, id); got != tt.status {
				t.Fatalf("grpc-status %q, want %s", got, tt.status)
			}
		})
	}
}

// readStatus reads frames until stream id ends and returns its grpc-status (with ":status" when it is
// not 200).
func readStatus(t *testing.T, fr *http2.Framer, id uint32) string {
	t.Helper()
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := f.(*http2.MetaHeadersFrame); ok && h.StreamID == id && h.StreamEnded() {
			status := ""
			if s := h.PseudoValue("status"); s != "200" {
				status = s + " "
			}
			for _, hf := range h.RegularFields() {
				if hf.Name == "grpc-status" {
					status += hf.Value
				}
			}
			return status
		}
		if ga, ok := f.(*http2.GoAwayFrame); ok {
			t.Fatalf("GOAWAY %v", ga.ErrCode)
		}
	}
}

// TestRapidReset opens and resets streams whose handlers ignore the reset for a while: beyond twice
// MaxConcurrentStreams running handlers, new streams are refused, and a flood of them ends the
// connection.
func TestRapidReset(t *testing.T) {
	release := make(chan struct{})
	m := allMethods(nil)
	m["/test.Stream/Stuck"] = grpc.StreamFunc(func(ctx context.Context, ss *grpc.ServerStream) error {
		<-release
		return nil
	})
	cfg := grpc.DefaultConfig()
	cfg.MaxConcurrentStreams = 8
	s := startHandler(t, m, cfg)
	defer close(release)
	nc, fr := rawPeer(t, s.addr)
	handshake(nc, fr)
	go func() {
		var buf bytes.Buffer
		enc := hpack.NewEncoder(&buf)
		for id := uint32(1); id < 2*500; id += 2 {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: requestBlock(enc, &buf, "/test.Stream/Stuck"),
				EndHeaders: true})
			if fr.WriteRSTStream(id, http2.ErrCodeCancel) != nil {
				return
			}
		}
	}()
	expectGoAway(t, fr, http2.ErrCodeEnhanceYourCalm)
}

// A connection that drains after a GOAWAY sends the frames queued for it before it closes: here the
// RST_STREAM answering the last stream's protocol error, whose end is what drains the connection.
func TestDrainedConnectionSendsItsLastReset(t *testing.T) {
	s := startStreamServer(t, grpc.DefaultConfig(), nil)
	nc, fr := rawPeer(t, s.addr)
	handshake(nc, fr)
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: requestBlock(enc, &buf, "/test.Stream/Block"),
		EndHeaders: true})
	fr.WritePing(false, [8]byte{1})
	shutdown := make(chan error, 1)
	for goAway := false; !goAway; {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		switch f := f.(type) {
		case *http2.PingFrame: // stream 1 is open and its handler running: drain the server
			if f.IsAck() {
				go func() { shutdown <- s.srv.Shutdown(context.Background()) }()
			}
		case *http2.GoAwayFrame:
			if f.LastStreamID != 1 {
				t.Fatalf("GOAWAY last stream %d, want 1", f.LastStreamID)
			}
			goAway = true
		}
	}
	// A second header block without END_STREAM is a stream error: the server resets stream 1, which
	// ends its last call and so closes the drained connection.
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: requestBlock(enc, &buf, "/test.Stream/Block"),
		EndHeaders: true})
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("connection closed (%v) without the RST_STREAM of stream 1", err)
		}
		if rst, ok := f.(*http2.RSTStreamFrame); ok && rst.StreamID == 1 {
			if rst.ErrCode != http2.ErrCodeProtocol {
				t.Fatalf("RST_STREAM %v, want PROTOCOL_ERROR", rst.ErrCode)
			}
			break
		}
	}
	if err := <-shutdown; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

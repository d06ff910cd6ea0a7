package interop_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	gthrift "github.com/cloudwego/gopkg/protocol/thrift"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	terntransport "github.com/ternhq/tern/framework/transport"
)

var update = flag.Bool("update", false, "rewrite testdata/kitex_wire from a live Kitex client and server")

const wireDir = "testdata/kitex_wire"

// wireCase is one Kitex call whose request and reply bytes are kept as fixtures.
type wireCase struct {
	name         string // file name part; "" for the plain Echo call
	ttheaderOnly bool
	oneway       bool // no reply is written
	closes       bool // the server closes the connection after its reply
	replyType    gthrift.TMessageType
	call         func(ctx context.Context, addr string, v kitexpeer.Variant) error
}

var wireCases = []wireCase{
	{name: "", replyType: gthrift.REPLY, call: echoCall(map[string]any{"message": "hello"})},
	{name: "exception", replyType: gthrift.REPLY, call: echoCall(map[string]any{"message": "hello", "fail": true})},
	{name: "oneway", oneway: true, call: func(ctx context.Context, addr string, v kitexpeer.Variant) error {
		c, err := kitexpeer.NewClient(addr, v)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.Notify(ctx, map[string]any{"message": "hello"})
	}},
	{name: "unknown", replyType: gthrift.EXCEPTION, closes: true, call: func(ctx context.Context, addr string, v kitexpeer.Variant) error {
		c, err := kitexpeer.NewMissingClient(addr, v)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.CallMissing(ctx, map[string]any{"message": "hello"})
	}},
	{name: "meta", ttheaderOnly: true, replyType: gthrift.REPLY, call: func(ctx context.Context, addr string, v kitexpeer.Variant) error {
		ctx = metainfo.WithValue(ctx, "trace", "t1")
		ctx = metainfo.WithPersistentValue(ctx, "tenant", "p1")
		return echoCall(map[string]any{"message": "hello", "meta_keys": []string{"trace", "tenant"}})(ctx, addr, v)
	}},
}

func echoCall(req map[string]any) func(ctx context.Context, addr string, v kitexpeer.Variant) error {
	return func(ctx context.Context, addr string, v kitexpeer.Variant) error {
		c, err := kitexpeer.NewClient(addr, v)
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Echo(ctx, req)
		return err
	}
}

func fixtureName(v kitexpeer.Variant, c wireCase, kind string) string {
	if c.name == "" {
		return fmt.Sprintf("%s_%s.hex", v, kind)
	}
	return fmt.Sprintf("%s_%s_%s.hex", v, c.name, kind)
}

// TestKitexWire captures what a Kitex client sends and a Kitex server answers for each case and
// variant, and checks it against the fixtures (or rewrites them with -update). Header key order and
// sequence ids vary between Kitex runs, so requests are compared in canonical form; replies to the
// stored requests are compared byte for byte.
func TestKitexWire(t *testing.T) {
	srv := kitexpeer.StartServer(t, "")
	var listing strings.Builder
	for _, v := range kitexpeer.Variants {
		for _, c := range wireCases {
			if c.ttheaderOnly && !v.HasTTHeader() {
				continue
			}
			name := strings.TrimSuffix(fixtureName(v, c, "request"), "_request.hex")
			t.Run(name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				req, reply := checkWireCase(ctx, t, srv.Addr(), v, c)
				for _, m := range [][2]string{{fixtureName(v, c, "request"), req}, {fixtureName(v, c, "reply"), reply}} {
					if m[1] != "" {
						fmt.Fprintf(&listing, "%s\n  %s\n", m[0], m[1])
					}
				}
			})
		}
	}
	if t.Failed() {
		return
	}
	path := filepath.Join(wireDir, "frames.txt")
	if *update {
		writeFile(t, path, []byte(listing.String()))
	} else if got := readFile(t, path); string(got) != listing.String() {
		t.Errorf("%s is stale; run go test -run TestKitexWire -update", path)
	}
}

// checkWireCase returns the decoded request and reply as listed in frames.txt.
func checkWireCase(ctx context.Context, t *testing.T, addr string, v kitexpeer.Variant, c wireCase) (string, string) {
	fresh, err := kitexpeer.CaptureRequest(ctx, func(a string) { _ = c.call(ctx, a, v) })
	if err != nil {
		t.Fatalf("capture: %v", err)
	}
	freshFrame := decodeRequest(t, v, fresh)
	reqPath := filepath.Join(wireDir, fixtureName(v, c, "request"))
	req := fresh
	if *update {
		writeHex(t, reqPath, fresh)
	} else {
		req = readHex(t, reqPath)
		if got, want := freshFrame.Canonical(), decodeRequest(t, v, req).Canonical(); got != want {
			t.Errorf("Kitex now sends\n  %s\nfixture %s has\n  %s", got, reqPath, want)
		}
	}
	reqFrame := decodeRequest(t, v, req)

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	reply, err := kitexpeer.ExchangeConn(ctx, conn, req)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if !c.oneway {
		if closed := kitexpeer.PeerCloses(conn, 200*time.Millisecond); closed != c.closes {
			t.Errorf("server closed the connection after its reply: %v, want %v", closed, c.closes)
		}
	}
	replyPath := filepath.Join(wireDir, fixtureName(v, c, "reply"))
	if c.oneway {
		if len(reply) != 0 {
			t.Errorf("oneway call got a %d-byte reply", len(reply))
		}
		return reqFrame.String(), ""
	}
	replyFrame := decodeReply(t, v, reqFrame, c.replyType, reply)
	if *update {
		writeHex(t, replyPath, reply)
	} else if want := readHex(t, replyPath); !bytes.Equal(reply, want) {
		f, _ := kitexpeer.DecodeFrame(want)
		t.Errorf("Kitex now replies\n  %s\nfixture %s has\n  %v", replyFrame, replyPath, f)
	}
	return reqFrame.String(), replyFrame.String()
}

func decodeRequest(t *testing.T, v kitexpeer.Variant, b []byte) *kitexpeer.Frame {
	t.Helper()
	f, err := kitexpeer.DecodeFrame(b)
	if err != nil {
		t.Fatalf("decode request %x: %v", b, err)
	}
	if f.Variant != v {
		t.Errorf("request variant = %s, want %s", f.Variant, v)
	}
	if f.MsgType != gthrift.CALL && f.MsgType != gthrift.ONEWAY {
		t.Errorf("request message type = %d", f.MsgType)
	}
	if v.HasTTHeader() && f.HeaderSeq != f.SeqID {
		t.Errorf("TTHeader seqid %d != Thrift seqid %d", f.HeaderSeq, f.SeqID)
	}
	checkDetect(t, v, b)
	return f
}

func decodeReply(t *testing.T, v kitexpeer.Variant, req *kitexpeer.Frame, typ gthrift.TMessageType, b []byte) *kitexpeer.Frame {
	t.Helper()
	f, err := kitexpeer.DecodeFrame(b)
	if err != nil {
		t.Fatalf("decode reply %x: %v", b, err)
	}
	if f.Variant != v {
		t.Errorf("reply variant = %s, want %s (the reply mirrors the request)", f.Variant, v)
	}
	if f.MsgType != typ || f.SeqID != req.SeqID || f.Method != req.Method {
		t.Errorf("reply %s type %d seq %d, want %s type %d seq %d", f.Method, f.MsgType, f.SeqID, req.Method, typ, req.SeqID)
	}
	if v.HasTTHeader() && f.HeaderSeq != req.HeaderSeq {
		t.Errorf("reply TTHeader seqid %d, want %d", f.HeaderSeq, req.HeaderSeq)
	}
	checkDetect(t, v, b)
	return f
}

// checkDetect holds Tern's protocol detection to what Kitex really sends.
func checkDetect(t *testing.T, v kitexpeer.Variant, b []byte) {
	t.Helper()
	want := map[kitexpeer.Variant]terntransport.Kind{
		kitexpeer.TTHeader:       terntransport.KindTTHeader,
		kitexpeer.TTHeaderFramed: terntransport.KindTTHeader,
		kitexpeer.Framed:         terntransport.KindFramedThrift,
		kitexpeer.Buffered:       terntransport.KindBufferedThrift,
	}[v]
	if got := terntransport.Detect(b); got != want {
		t.Errorf("tern transport.Detect = %s, want %s", got, want)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestKitexWire -update to create it)", err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readHex reads a fixture: hex digits, whitespace ignored.
func readHex(t *testing.T, path string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(string(readFile(t, path))), ""))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// writeHex writes b as lowercase hex, 32 bytes a line.
func writeHex(t *testing.T, path string, b []byte) {
	t.Helper()
	var s strings.Builder
	for len(b) > 0 {
		n := min(32, len(b))
		s.WriteString(hex.EncodeToString(b[:n]))
		s.WriteByte('\n')
		b = b[n:]
	}
	writeFile(t, path, []byte(s.String()))
}

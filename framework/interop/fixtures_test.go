package interop_test

import (
	"bytes"
	"maps"
	"net"
	"path/filepath"
	"slices"
	"testing"
	"time"

	gthrift "github.com/cloudwego/gopkg/protocol/thrift"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/frame"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport/ttheader"
)

// fixture is one stored Kitex message.
type fixture struct {
	v     kitexpeer.Variant
	c     wireCase
	kind  string // "request" or "reply"
	bytes []byte
	ref   *kitexpeer.Frame // decoded by kitexpeer's independent decoder
}

func (f fixture) name() string { return fixtureName(f.v, f.c, f.kind) }

// fixtures loads every request and reply TestKitexWire keeps.
func fixtures(t *testing.T) []fixture {
	t.Helper()
	var out []fixture
	for _, v := range kitexpeer.Variants {
		for _, c := range wireCases {
			if c.ttheaderOnly && !v.HasTTHeader() {
				continue
			}
			kinds := []string{"request", "reply"}
			if c.oneway {
				kinds = kinds[:1]
			}
			for _, kind := range kinds {
				b := readHex(t, filepath.Join(wireDir, fixtureName(v, c, kind)))
				ref, err := kitexpeer.DecodeFrame(b)
				if err != nil {
					t.Fatalf("%s: kitexpeer cannot decode it: %v", fixtureName(v, c, kind), err)
				}
				out = append(out, fixture{v: v, c: c, kind: kind, bytes: b, ref: ref})
			}
		}
	}
	// 4 variants × (Echo, exception, unknown: request and reply; oneway: request) + meta for 2 variants.
	if len(out) != 4*7+2*2 {
		t.Fatalf("loaded %d fixtures, want the 32 .hex files testdata/kitex_wire holds", len(out))
	}
	return out
}

// TestFrameReadKitexFixtures decodes every message Kitex sent and answered with Tern's frame.Read,
// the reader the Tern server and client share, from an in-memory transport.Reader: all bytes at once,
// and arriving as the reader asks for them (which drives Buffered's skip-decoding a step at a time).
func TestFrameReadKitexFixtures(t *testing.T) {
	for _, fx := range fixtures(t) {
		t.Run(fx.name(), func(t *testing.T) {
			for _, trickle := range []bool{false, true} {
				r := &memReader{b: fx.bytes, trickle: trickle}
				var m frame.Message
				if err := frame.Read(r, 0, &m); err != nil {
					t.Fatalf("trickle=%v: frame.Read: %v", trickle, err)
				}
				if r.off != len(fx.bytes) || m.Size != len(fx.bytes) {
					t.Errorf("trickle=%v: consumed %d bytes, Size %d; the message is %d", trickle, r.off, m.Size, len(fx.bytes))
				}
				checkTernMessage(t, fx, &m)
			}
		})
	}
}

// checkTernMessage compares what frame.Read made of a fixture with kitexpeer's decoding and with what
// the call carried.
func checkTernMessage(t *testing.T, fx fixture, m *frame.Message) {
	t.Helper()
	if want := ternProtocol(t, fx.v); m.Protocol != want {
		t.Errorf("protocol = %v, want %v", m.Protocol, want)
	}
	name, typ, seq, n, err := thrift.ReadMessageBegin(m.Payload)
	if err != nil {
		t.Fatalf("ReadMessageBegin: %v", err)
	}
	if string(name) != fx.ref.Method || int(typ) != int(fx.ref.MsgType) || seq != fx.ref.SeqID {
		t.Errorf("message %s type %d seq %d, want %s type %d seq %d", name, typ, seq, fx.ref.Method, fx.ref.MsgType, fx.ref.SeqID)
	}
	if !bytes.Equal(m.Payload[n:], fx.ref.Body) {
		t.Errorf("body %x, want %x", m.Payload[n:], fx.ref.Body)
	}
	if fx.v.HasTTHeader() {
		checkTernHeader(t, fx.ref, &m.Header)
	} else if len(m.Header.Ints)+len(m.Header.Strs) != 0 || m.Header.SeqID != 0 {
		t.Errorf("%s message has a header: %+v", fx.v, m.Header)
	}
	body := m.Payload[n:]
	if fx.kind == "request" {
		checkArgs(t, fx, body)
	} else {
		checkKitexReply(t, fx, body)
	}
}

func checkTernHeader(t *testing.T, ref *kitexpeer.Frame, h *ttheader.Header) {
	t.Helper()
	if h.SeqID != ref.HeaderSeq || h.Flags != ref.Flags || h.ProtocolID != ref.ProtocolID {
		t.Errorf("header seq %d flags %#x protocol %d, want %d %#x %d", h.SeqID, h.Flags, h.ProtocolID, ref.HeaderSeq, ref.Flags, ref.ProtocolID)
	}
	ints := map[uint16]string{}
	for _, kv := range h.Ints {
		ints[uint16(kv.Key)] = string(kv.Value)
	}
	strs := map[string]string{}
	for _, kv := range h.Strs {
		strs[string(kv.Key)] = string(kv.Value)
	}
	if !maps.Equal(ints, ref.IntKV) || !maps.Equal(strs, ref.StrKV) || len(h.Ints) != len(ref.IntKV) || len(h.Strs) != len(ref.StrKV) {
		t.Errorf("header keys int %v str %v, want int %v str %v", ints, strs, ref.IntKV, ref.StrKV)
	}
	if method, ok := h.Int(ttheader.ToMethod); ref.MsgType != gthrift.REPLY && ref.MsgType != gthrift.EXCEPTION &&
		(!ok || string(method) != ref.Method) {
		t.Errorf("int key 9 (to method) = %q, %v; want %q", method, ok, ref.Method)
	}
}

// checkArgs decodes a request's arguments into Tern's generated type.
func checkArgs(t *testing.T, fx fixture, body []byte) {
	t.Helper()
	var args echo.EchoEchoArgs
	if err := thrift.Unmarshal(body, &args); err != nil {
		t.Fatalf("decode %x into echo.EchoEchoArgs: %v", body, err)
	}
	want := echo.Request{Message: "hello", MetaKeys: []string{}}
	switch fx.c.name {
	case "exception":
		want.Fail = true
	case "meta":
		want.MetaKeys = []string{"trace", "tenant"}
	}
	if got := args.Req; got == nil || got.Message != want.Message || got.Fail != want.Fail ||
		got.DelayMs != 0 || got.Panic || !slices.Equal(got.MetaKeys, want.MetaKeys) {
		t.Errorf("args.Req = %+v, want %+v", got, want)
	}
	if fx.c.name == "oneway" {
		var na echo.EchoNotifyArgs
		if err := thrift.Unmarshal(body, &na); err != nil || na.Req == nil || na.Req.Message != "hello" {
			t.Errorf("decode into echo.EchoNotifyArgs: %+v, %v", na.Req, err)
		}
	}
}

// checkKitexReply decodes a Kitex server's reply the way the Tern client does.
func checkKitexReply(t *testing.T, fx fixture, body []byte) {
	t.Helper()
	if fx.c.replyType == gthrift.EXCEPTION {
		var ae thrift.ApplicationException
		if err := thrift.Unmarshal(body, &ae); err != nil {
			t.Fatalf("decode TApplicationException: %v", err)
		}
		want := thrift.ApplicationException{Type: rpcerr.ExceptionUnknownMethod, Message: "unknown method Missing (service Echo)"}
		if !fx.v.HasTTHeader() {
			want = thrift.ApplicationException{Type: rpcerr.ExceptionUnknownService, Message: "unknown service , method Missing"}
		}
		if ae != want {
			t.Errorf("exception %+v, want %+v", ae, want)
		}
		return
	}
	var res echo.EchoEchoResult
	if err := thrift.Unmarshal(body, &res); err != nil {
		t.Fatalf("decode echo.EchoEchoResult: %v", err)
	}
	checkResult(t, fx.c.name, &res)
}

// checkResult checks an Echo result for the request of case name (from either server).
func checkResult(t *testing.T, name string, res *echo.EchoEchoResult) {
	t.Helper()
	if name == "exception" {
		if res.Success != nil || res.Err == nil || res.Err.Code != 7 || res.Err.Message != "failed: hello" {
			t.Errorf("result %+v / %+v, want EchoError{7, \"failed: hello\"}", res.Success, res.Err)
		}
		return
	}
	wantMeta := map[string]string{}
	if name == "meta" {
		wantMeta = map[string]string{"t.trace": "t1", "p.tenant": "p1"}
	}
	if res.Err != nil || res.Success == nil || res.Success.Message != "hello" || !maps.Equal(res.Success.Meta, wantMeta) {
		t.Errorf("result %+v / %+v, want Response{hello, %v}", res.Success, res.Err, wantMeta)
	}
}

// TestFrameReadKitexFixtureEdges: a message followed by another is read alone, leaving the next intact;
// any proper prefix of a message is an error (the in-memory reader's io.EOF), never a message.
func TestFrameReadKitexFixtureEdges(t *testing.T) {
	for _, fx := range fixtures(t) {
		if fx.kind != "request" {
			continue
		}
		t.Run(fx.name(), func(t *testing.T) {
			r := &memReader{b: append(slices.Clone(fx.bytes), fx.bytes...)}
			for i := range 2 {
				var m frame.Message
				if err := frame.Read(r, 0, &m); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if r.off != (i+1)*len(fx.bytes) {
					t.Fatalf("message %d: reader at %d, want %d", i, r.off, (i+1)*len(fx.bytes))
				}
				checkTernMessage(t, fx, &m)
			}
			for cut := range len(fx.bytes) {
				var m frame.Message
				err := frame.Read(&memReader{b: fx.bytes[:cut]}, 0, &m)
				if err == nil {
					t.Fatalf("the first %d of %d bytes read as a message: %+v", cut, len(fx.bytes), m)
				}
			}
			// A size limit one byte short of the message refuses it before reading it.
			var m frame.Message
			err := frame.Read(&memReader{b: fx.bytes}, len(fx.bytes)-1, &m)
			if rpcerr.CodeOf(err) != rpcerr.CodeResourceExhausted {
				t.Errorf("frame.Read with max size %d: %v, want resource_exhausted", len(fx.bytes)-1, err)
			}
		})
	}
}

// TestTernServerAnswersKitexFixtures replays the stored Kitex requests to a Tern server over raw TCP:
// every reply is valid in the request's own framing, answers the request's method and sequence id
// and decodes as Kitex's client would decode it; the connection stays usable afterwards.
func TestTernServerAnswersKitexFixtures(t *testing.T) {
	all := fixtures(t)
	for _, v := range kitexpeer.Variants {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			_, addr, h := echotest.StartServer(t)
			var plain fixture
			for _, fx := range all {
				if fx.v == v && fx.kind == "request" && fx.c.name == "" {
					plain = fx
				}
			}
			for _, fx := range all {
				if fx.v != v || fx.kind != "request" {
					continue
				}
				t.Run(fx.name(), func(t *testing.T) {
					conn := dialRaw(t, addr)
					replayToTern(t, conn, fx, h)
					// The same connection goes on: the plain Echo request gets its reply.
					replayToTern(t, conn, plain, h)
				})
			}
		})
	}
}

func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	var d net.Dialer
	conn, err := d.DialContext(testContext(t), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func replayToTern(t *testing.T, conn net.Conn, req fixture, h *echotest.Handler) {
	t.Helper()
	reply, err := kitexpeer.ExchangeConn(testContext(t), conn, req.bytes)
	if req.c.oneway {
		if len(reply) != 0 {
			t.Errorf("oneway %s got a %d-byte reply %x", req.name(), len(reply), reply)
		}
		if got := h.WaitNotify(5 * time.Second); got == nil || got.Message != "hello" {
			t.Errorf("the Tern handler got Notify %+v, want message hello", got)
		}
		return
	}
	if err != nil {
		t.Fatalf("exchange %s: %v (got %x)", req.name(), err, reply)
	}
	f, err := kitexpeer.DecodeFrame(reply)
	if err != nil {
		t.Fatalf("reply to %s: %v (bytes %x)", req.name(), err, reply)
	}
	t.Logf("%s -> %s", req.name(), f)
	wantType := gthrift.REPLY
	if req.c.name == "unknown" {
		wantType = gthrift.EXCEPTION
	}
	if f.Variant != req.v || f.MsgType != wantType || f.Method != req.ref.Method || f.SeqID != req.ref.SeqID {
		t.Errorf("reply %s %s type %d seq %d, want %s %s type %d seq %d",
			f.Variant, f.Method, f.MsgType, f.SeqID, req.v, req.ref.Method, wantType, req.ref.SeqID)
	}
	if req.v.HasTTHeader() && f.HeaderSeq != req.ref.HeaderSeq {
		t.Errorf("reply TTHeader seq %d, want %d", f.HeaderSeq, req.ref.HeaderSeq)
	}
	if wantType == gthrift.EXCEPTION {
		var ae thrift.ApplicationException
		if err := thrift.Unmarshal(f.Body, &ae); err != nil {
			t.Fatalf("decode TApplicationException %x: %v", f.Body, err)
		}
		// Tern says "unknown method" (1) in every framing; Kitex says 20 over Framed and Buffered.
		want := thrift.ApplicationException{Type: rpcerr.ExceptionUnknownMethod, Message: `unknown method "Missing"`}
		if req.v.HasTTHeader() {
			want.Message += " in service Echo"
		}
		if ae != want {
			t.Errorf("exception %+v, want %+v", ae, want)
		}
		return
	}
	var res echo.EchoEchoResult
	if err := thrift.Unmarshal(f.Body, &res); err != nil {
		t.Fatalf("decode echo.EchoEchoResult %x: %v", f.Body, err)
	}
	checkResult(t, req.c.name, &res)
	if req.c.name == "" || req.c.name == "exception" {
		// With no map entries to order, Tern's result struct is byte for byte Kitex's.
		kitexReply := readHex(t, filepath.Join(wireDir, fixtureName(req.v, req.c, "reply")))
		kf, err := kitexpeer.DecodeFrame(kitexReply)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Body, kf.Body) {
			t.Errorf("Tern result %x\nKitex result %x", f.Body, kf.Body)
		}
	}
}

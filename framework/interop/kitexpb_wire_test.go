package interop_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	kmetainfo "github.com/bytedance/gopkg/cloud/metainfo"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/metainfo"
)

// framedPB builds a Framed Kitex Protobuf message: u32 length, u32 0x9001000t, u32 length + method,
// u32 seq id, body. Independent of Tern's codec on purpose.
func framedPB(typ uint32, method string, seq int32, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 0) // length, patched below
	b = binary.BigEndian.AppendUint32(b, 0x90010000|typ)
	b = binary.BigEndian.AppendUint32(b, uint32(len(method)))
	b = append(b, method...)
	b = binary.BigEndian.AppendUint32(b, uint32(seq))
	b = append(b, body...)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// pbReply is a decoded Framed Kitex Protobuf reply.
type pbReply struct {
	typ     uint32
	method  string
	seq     int32
	body    []byte
	errType int32 // ErrorProto.TypeID, for exceptions
	errMsg  string
}

func decodeFramedPB(b []byte) (*pbReply, error) {
	if len(b) < 16 || int(binary.BigEndian.Uint32(b))+4 != len(b) {
		return nil, fmt.Errorf("not one Framed message: % x", b[:min(len(b), 16)])
	}
	word := binary.BigEndian.Uint32(b[4:])
	if word&0xFFFF0000 != 0x90010000 {
		return nil, fmt.Errorf("magic %#x is not Kitex Protobuf", word)
	}
	n := int(binary.BigEndian.Uint32(b[8:]))
	if 12+n+4 > len(b) {
		return nil, fmt.Errorf("method length %d overruns the frame", n)
	}
	r := &pbReply{typ: word & 0xFFFF, method: string(b[12 : 12+n]), seq: int32(binary.BigEndian.Uint32(b[12+n:]))}
	r.body = b[16+n:]
	if r.typ != 3 {
		return r, nil
	}
	for body := r.body; len(body) > 0; {
		num, wt, l := protowire.ConsumeTag(body)
		if l < 0 {
			return nil, protowire.ParseError(l)
		}
		body = body[l:]
		switch {
		case num == 1 && wt == protowire.VarintType:
			v, l := protowire.ConsumeVarint(body)
			if l < 0 {
				return nil, protowire.ParseError(l)
			}
			r.errType, body = int32(v), body[l:]
		case num == 2 && wt == protowire.BytesType:
			v, l := protowire.ConsumeBytes(body)
			if l < 0 {
				return nil, protowire.ParseError(l)
			}
			r.errMsg, body = string(v), body[l:]
		default:
			l := protowire.ConsumeFieldValue(num, wt, body)
			if l < 0 {
				return nil, protowire.ParseError(l)
			}
			body = body[l:]
		}
	}
	return r, nil
}

// TestKitexPBFramedExceptionSeqID pins down what a Kitex v0.16.3 server sends back for Framed Kitex
// Protobuf requests, byte for byte: a known method's reply carries the request's sequence id; an
// unknown method's exception (type 20, unknown service: Framed names no service) carries sequence id 0
// and the method name. Kitex rejects the method before it reads the sequence id, and its own client
// accepts any sequence id and method name on an exception; a Tern client accepts sequence id 0 on an
// exception (see TestTernPBClientKitexServer/framed/UnknownMethod).
func TestKitexPBFramedExceptionSeqID(t *testing.T) {
	srv := sharedKitexPBServer(t, "wire")
	tests := []struct {
		name    string
		method  string
		wantTyp uint32
		wantSeq int32
		wantErr string
	}{
		{"known", "Echo", 2, 77, ""},
		{"unknown", "Missing", 3, 0, "unknown service , method Missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			body := protowire.AppendTag(nil, 1, protowire.BytesType) // Request.message = "hi"
			body = protowire.AppendString(body, "hi")
			got, err := kitexpeer.Exchange(ctx, srv.Addr(), framedPB(1, tt.method, 77, body))
			if err != nil {
				t.Fatalf("exchange: %v (got % x)", err, got)
			}
			r, err := decodeFramedPB(got)
			if err != nil {
				t.Fatal(err)
			}
			if r.typ != tt.wantTyp || r.seq != tt.wantSeq || r.method != tt.method {
				t.Errorf("reply type %d, seq %d, method %q; want %d, %d, %q", r.typ, r.seq, r.method, tt.wantTyp, tt.wantSeq, tt.method)
			}
			if tt.wantTyp == 3 && (r.errType != 20 || r.errMsg != tt.wantErr) {
				t.Errorf("ErrorProto{%d, %q}, want {20, %q}", r.errType, r.errMsg, tt.wantErr)
			}
		})
	}
}

// TestKitexPBClientFraming checks what the Kitex protobuf client variants put on the wire: TTHeader
// (0x1000 at bytes 4-5) around a Framed Kitex Protobuf message for PBTTHeader, and a bare Framed one
// (0x9001 at bytes 4-5) for PBFramed, which kitexpeer reaches by resetting each call's protocol.
func TestKitexPBClientFraming(t *testing.T) {
	for _, v := range kitexpeer.PBVariants {
		t.Run(v.String(), func(t *testing.T) {
			ctx := testContext(t)
			got, err := kitexpeer.CaptureRequest(ctx, func(addr string) {
				c, err := kitexpeer.NewPBClient(addr, v, nil)
				if err != nil {
					t.Error(err)
					return
				}
				defer c.Close()
				_, _ = c.Echo(ctx, nil) // the capturing peer hangs up without answering
			})
			if err != nil {
				t.Fatalf("capture: %v (got % x)", err, got)
			}
			if len(got) < 16 {
				t.Fatalf("captured % x", got)
			}
			pb := got
			if v.HasTTHeader() {
				if binary.BigEndian.Uint16(got[4:6]) != 0x1000 {
					t.Fatalf("no TTHeader magic: % x", got[:16])
				}
				pb = got[14+4*int(binary.BigEndian.Uint16(got[12:14])):] // after the header info
			}
			r, err := decodeFramedPB(pb)
			if err != nil {
				t.Fatalf("payload % x: %v", pb[:min(len(pb), 16)], err)
			}
			if r.typ != 1 || r.method != "Echo" || len(r.body) != 0 {
				t.Errorf("request type %d, method %q, %d body bytes; want a CALL of Echo with an empty body", r.typ, r.method, len(r.body))
			}
		})
	}
}

// TestKitexPBWireParity compares Tern with Kitex on the wire, call for call. Requests: a Tern client's
// Kitex Protobuf request carries what a Kitex client's does — framing, flags, protocol id, the isn and
// metainfo string keys, the to-service and to-method int keys, the message — less the keys Tern writes
// only when configured (from-service, timeouts) and Kitex's informational ones (transport type, message
// type). Replies: a Tern server answers a Kitex client's request with the frame a Kitex server sends,
// sequence ids aside and the body compared as a message.
func TestKitexPBWireParity(t *testing.T) {
	ksrv := sharedKitexPBServer(t, "wire")
	taddr := startTernPBServer(t)
	for _, v := range kitexpeer.PBVariants {
		t.Run(v.String(), func(t *testing.T) {
			ctx := testContext(t)
			req := &echopb.Request{Message: "hi", MetaKeys: []string{"trace", "tenant"}}
			kitexReq, err := kitexpeer.CaptureRequest(ctx, func(addr string) {
				c, err := kitexpeer.NewPBClient(addr, v, nil)
				if err != nil {
					t.Error(err)
					return
				}
				defer c.Close()
				cctx := kmetainfo.WithPersistentValue(kmetainfo.WithValue(ctx, "trace", "t1"), "tenant", "p1")
				_, _ = c.Echo(cctx, req)
			})
			if err != nil {
				t.Fatalf("capture Kitex request: %v", err)
			}
			ternReq, err := kitexpeer.CaptureRequest(ctx, func(addr string) {
				c := newTernPBClient(t, addr, v)
				cctx := metainfo.WithPersistentValue(metainfo.WithValue(ctx, "trace", "t1"), "tenant", "p1")
				_, _ = c.Echo(cctx, req)
			})
			if err != nil {
				t.Fatalf("capture Tern request: %v", err)
			}
			kf, tf := decodeFrame(t, kitexReq), decodeFrame(t, ternReq)
			if got, want := requestShape(tf), requestShape(kf); got != want {
				t.Errorf("request\n  Tern:  %s\n  Kitex: %s", got, want)
			}

			kitexReply, err := kitexpeer.Exchange(ctx, ksrv.Addr(), kitexReq)
			if err != nil {
				t.Fatalf("Kitex server: %v", err)
			}
			ternReply, err := kitexpeer.Exchange(ctx, taddr, kitexReq)
			if err != nil {
				t.Fatalf("Tern server: %v", err)
			}
			// Bodies are compared as messages: map fields (Response.meta) have no fixed order on the wire.
			tr, kr := decodeFrame(t, ternReply), decodeFrame(t, kitexReply)
			var tresp, kresp echopb.Response
			if err := proto.Unmarshal(tr.Body, &tresp); err != nil {
				t.Fatalf("Tern reply body: %v", err)
			}
			if err := proto.Unmarshal(kr.Body, &kresp); err != nil {
				t.Fatalf("Kitex reply body: %v", err)
			}
			if !proto.Equal(&tresp, &kresp) {
				t.Errorf("reply message\n  Tern:  %v\n  Kitex: %v", &tresp, &kresp)
			}
			tr.Body, kr.Body = nil, nil
			if got, want := tr.Canonical(), kr.Canonical(); got != want {
				t.Errorf("reply\n  Tern:  %s\n  Kitex: %s", got, want)
			}
		})
	}
}

func decodeFrame(t *testing.T, b []byte) *kitexpeer.Frame {
	t.Helper()
	f, err := kitexpeer.DecodeFrame(b)
	if err != nil {
		t.Fatalf("decode % x: %v", b[:min(len(b), 32)], err)
	}
	if !f.Protobuf {
		t.Fatalf("not Kitex Protobuf: %s", f)
	}
	return f
}

// requestShape renders what a Kitex Protobuf request must carry whichever peer sent it.
func requestShape(f *kitexpeer.Frame) string {
	return fmt.Sprintf("%s flags=%#x proto=%d transforms=%v to=%q/%q str=%v | %s type=%d body=%x",
		f.Variant, f.Flags, f.ProtocolID, f.Transforms, f.IntKV[6], f.IntKV[9], f.StrKV, f.Method, f.MsgType, f.Body)
}

package grpcinterop_test

import (
	"bytes"
	"context"
	"io"
	"sync/atomic"
	"testing"

	ggrpc "google.golang.org/grpc"
)

// benchPeer is one client/server pairing for the benchmarks: unary calls through each client's unary
// API, and a bidi stream.
type benchPeer struct {
	name  string
	unary func(ctx context.Context, req []byte) ([]byte, error)
	open  opener
}

// benchPeers pairs each client with each server, all serving the streaming service's Echo.
func benchPeers(b *testing.B) []benchPeer {
	ternAddr := startTernStreamServer(b, nil, new(atomic.Int32))
	goAddr := startGoStreamServer(b, nil)
	var out []benchPeer
	for _, srv := range []struct{ name, addr string }{{"tern-server", ternAddr}, {"grpc-go-server", goAddr}} {
		tc := ternDial(b, srv.addr, false)
		out = append(out, benchPeer{
			name: "tern-client/" + srv.name,
			unary: func(ctx context.Context, req []byte) ([]byte, error) {
				resp, _, _, err := tc.Invoke(ctx, streamEcho, nil, req)
				return resp, err
			},
			open: ternOpener(tc),
		})
		gc := grpcGoClient(b, srv.addr)
		out = append(out, benchPeer{
			name: "grpc-go-client/" + srv.name,
			unary: func(ctx context.Context, req []byte) ([]byte, error) {
				var resp []byte
				err := gc.Invoke(ctx, streamEcho, req, &resp, ggrpc.ForceCodec(rawCodec{}))
				return resp, err
			},
			open: goOpener(gc),
		})
	}
	return out
}

// BenchmarkUnaryEcho1KiB compares unary 1 KiB echo calls between Tern and grpc-go, both ways.
func BenchmarkUnaryEcho1KiB(b *testing.B) {
	req := bytes.Repeat([]byte("u"), 1024)
	for _, p := range benchPeers(b) {
		b.Run(p.name, func(b *testing.B) {
			ctx := testCtx(b)
			b.ReportAllocs()
			b.SetBytes(2 * 1024)
			for b.Loop() {
				if resp, err := p.unary(ctx, req); err != nil || len(resp) != len(req) {
					b.Fatalf("%d bytes, %v", len(resp), err)
				}
			}
		})
	}
}

// BenchmarkBidiPingPong1KiB compares round trips of 1 KiB on an open bidi stream.
func BenchmarkBidiPingPong1KiB(b *testing.B) {
	msg := bytes.Repeat([]byte("b"), 1024)
	for _, p := range benchPeers(b) {
		b.Run(p.name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(testCtx(b))
			defer cancel()
			cs, err := p.open(ctx, streamEcho)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(2 * 1024)
			for b.Loop() {
				if err := cs.send(msg); err != nil {
					b.Fatal(err)
				}
				if got, err := cs.recv(); err != nil || len(got) != len(msg) {
					b.Fatalf("%d bytes, %v", len(got), err)
				}
			}
			_ = cs.closeSend()
			if _, err := cs.recv(); err != io.EOF {
				b.Fatal(err)
			}
		})
	}
}

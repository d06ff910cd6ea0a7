package grpc_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/transport/grpc"
)

func benchCtx(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	b.Cleanup(cancel)
	return ctx
}

// BenchmarkUnaryEcho1KiB measures a unary call with a 1 KiB request and response over loopback.
func BenchmarkUnaryEcho1KiB(b *testing.B) {
	s := startBenchServer(b)
	cc, err := grpc.Dial(benchCtx(b), "tcp", s.addr, grpc.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Close()
	req := bytes.Repeat([]byte("k"), 1024)
	ctx := benchCtx(b)
	b.ReportAllocs()
	b.SetBytes(2 * 1024)
	for b.Loop() {
		resp, _, _, err := cc.Invoke(ctx, "/test.Echo/Echo", nil, req)
		if err != nil || len(resp) != len(req) {
			b.Fatalf("Invoke: %d bytes, %v", len(resp), err)
		}
	}
}

// BenchmarkBidiPingPong1KiB measures one round trip of a 1 KiB message on an open bidi stream.
func BenchmarkBidiPingPong1KiB(b *testing.B) {
	s := startBenchServer(b)
	cc, err := grpc.Dial(benchCtx(b), "tcp", s.addr, grpc.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithCancel(benchCtx(b))
	defer cancel()
	cs, err := cc.NewStream(ctx, "/test.Stream/Echo", nil)
	if err != nil {
		b.Fatal(err)
	}
	msg := bytes.Repeat([]byte("p"), 1024)
	b.ReportAllocs()
	b.SetBytes(2 * 1024)
	for b.Loop() {
		if err := cs.SendMsg(msg); err != nil {
			b.Fatal(err)
		}
		if got, err := cs.RecvMsg(); err != nil || len(got) != len(msg) {
			b.Fatalf("RecvMsg: %d bytes, %v", len(got), err)
		}
	}
}

// startBenchServer serves the test methods on loopback until the benchmark ends.
func startBenchServer(b *testing.B) *server {
	b.Helper()
	return startHandler(b, allMethods(nil), grpc.DefaultConfig())
}

// BenchmarkUnaryEcho1KiBParallel measures unary calls with 1 KiB messages from many goroutines sharing
// one connection, where the frames of many streams are ready together.
func BenchmarkUnaryEcho1KiBParallel(b *testing.B) {
	s := startBenchServer(b)
	cc, err := grpc.Dial(benchCtx(b), "tcp", s.addr, grpc.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Close()
	req := bytes.Repeat([]byte("k"), 1024)
	ctx := benchCtx(b)
	b.ReportAllocs()
	b.SetBytes(2 * 1024)
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, _, _, err := cc.Invoke(ctx, "/test.Echo/Echo", nil, req)
			if err != nil || len(resp) != len(req) {
				b.Errorf("Invoke: %d bytes, %v", len(resp), err)
				return
			}
		}
	})
}

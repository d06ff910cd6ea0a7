// Package grpcinterop_test checks Tern's gRPC transport against grpc-go, both ways.
package grpcinterop_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ggrpc "google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	tmd "github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
	tgrpc "github.com/ternhq/tern/framework/transport/grpc"
)

const (
	echoMethod  = "/interop.Echo/Echo"
	failMethod  = "/interop.Echo/Fail"
	blockMethod = "/interop.Echo/Block"
	bigSize     = 4 << 20
	maxMsg      = 8 << 20
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func listen(t testing.TB) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func marshal(t testing.TB, b []byte) []byte {
	out, err := proto.Marshal(wrapperspb.Bytes(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func unmarshal(t testing.TB, b []byte) []byte {
	var m wrapperspb.BytesValue
	if err := proto.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Value
}

// ---- Tern server, grpc-go client ----

func startTernServer(t *testing.T) string {
	cfg := tgrpc.DefaultConfig()
	cfg.MaxRecvMsgSize = maxMsg
	srv := tgrpc.NewServer(tgrpc.MethodMap{
		echoMethod: tgrpc.UnaryFunc(func(ctx context.Context, md tmd.MD, req []byte) ([]byte, tmd.MD, error) {
			_ = tmd.SetHeader(ctx, tmd.MD{"h-out": md["x-in"], "h-bin": {"\x00\x01"}})
			return req, tmd.MD{"t-out": md["x-in"], "t-bin": md["x-bin"]}, nil
		}),
		failMethod: tgrpc.UnaryFunc(func(ctx context.Context, md tmd.MD, req []byte) ([]byte, tmd.MD, error) {
			var m wrapperspb.Int32Value
			_ = proto.Unmarshal(req, &m)
			return nil, nil, rpcerr.Errorf(rpcerr.Code(m.Value), "code %d: 100%% é\n", m.Value)
		}),
		blockMethod: tgrpc.UnaryFunc(func(ctx context.Context, md tmd.MD, req []byte) ([]byte, tmd.MD, error) {
			<-ctx.Done()
			return nil, nil, ctx.Err()
		}),
	}, cfg)
	return serveTern(t, srv)
}

// serveTern runs srv on a loopback listener until the test ends and returns its address.
func serveTern(t testing.TB, srv *tgrpc.Server) string {
	return serveTernCounting(t, srv, new(atomic.Int32))
}

// serveTernCounting is serveTern counting the connections accepted in conns.
func serveTernCounting(t testing.TB, srv *tgrpc.Server, conns *atomic.Int32) string {
	ln := listen(t)
	var wg sync.WaitGroup
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			wg.Add(1)
			go func() { defer wg.Done(); _ = srv.ServeConn(nc) }()
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		wg.Wait()
	})
	return ln.Addr().String()
}

func grpcGoClient(t testing.TB, addr string) *ggrpc.ClientConn {
	cc, err := ggrpc.NewClient(addr, ggrpc.WithTransportCredentials(insecure.NewCredentials()),
		ggrpc.WithDefaultCallOptions(ggrpc.MaxCallRecvMsgSize(maxMsg), ggrpc.MaxCallSendMsgSize(maxMsg)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func TestGrpcGoClientToTernServer(t *testing.T) {
	cc := grpcGoClient(t, startTernServer(t))
	t.Run("unary and metadata", func(t *testing.T) {
		ctx := metadata.AppendToOutgoingContext(testCtx(t), "x-in", "v1", "x-bin", "\xff\x00")
		var hdr, tr metadata.MD
		out := new(wrapperspb.BytesValue)
		err := cc.Invoke(ctx, echoMethod, wrapperspb.Bytes([]byte("hi")), out, ggrpc.Header(&hdr), ggrpc.Trailer(&tr))
		if err != nil || string(out.Value) != "hi" {
			t.Fatalf("Invoke: %q %v", out.Value, err)
		}
		if got := hdr.Get("h-out"); len(got) != 1 || got[0] != "v1" || hdr.Get("h-bin")[0] != "\x00\x01" {
			t.Errorf("header = %v", hdr)
		}
		if got := tr.Get("t-out"); len(got) != 1 || got[0] != "v1" || tr.Get("t-bin")[0] != "\xff\x00" {
			t.Errorf("trailer = %v", tr)
		}
	})
	t.Run("gzip and 4 MiB", func(t *testing.T) {
		big := bytes.Repeat([]byte("abcdefgh"), bigSize/8)
		for _, opts := range [][]ggrpc.CallOption{nil, {ggrpc.UseCompressor("gzip")}} {
			out := new(wrapperspb.BytesValue)
			if err := cc.Invoke(testCtx(t), echoMethod, wrapperspb.Bytes(big), out, opts...); err != nil || !bytes.Equal(out.Value, big) {
				t.Fatalf("4 MiB: %v", err)
			}
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
		defer cancel()
		err := cc.Invoke(ctx, blockMethod, wrapperspb.Bytes(nil), new(wrapperspb.BytesValue))
		if status.Code(err) != codes.DeadlineExceeded {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		time.AfterFunc(30*time.Millisecond, cancel)
		err := cc.Invoke(ctx, blockMethod, wrapperspb.Bytes(nil), new(wrapperspb.BytesValue))
		if status.Code(err) != codes.Canceled {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("every status", func(t *testing.T) {
		for c := 1; c <= 16; c++ {
			err := cc.Invoke(testCtx(t), failMethod, wrapperspb.Int32(int32(c)), new(wrapperspb.BytesValue))
			st := status.Convert(err)
			if int(st.Code()) != c || st.Message() != fmt.Sprintf("code %d: 100%% é\n", c) {
				t.Errorf("code %d: got %v %q", c, st.Code(), st.Message())
			}
		}
	})
	t.Run("unknown method", func(t *testing.T) {
		err := cc.Invoke(testCtx(t), "/interop.Echo/Nope", wrapperspb.Bytes(nil), new(wrapperspb.BytesValue))
		if status.Code(err) != codes.Unimplemented {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("1000 concurrent", func(t *testing.T) {
		concurrent(t, 1000, func(i int) error {
			want := []byte(strconv.Itoa(i))
			out := new(wrapperspb.BytesValue)
			if err := cc.Invoke(testCtx(t), echoMethod, wrapperspb.Bytes(want), out); err != nil {
				return err
			}
			if !bytes.Equal(out.Value, want) {
				return fmt.Errorf("call %d: got %q", i, out.Value)
			}
			return nil
		})
	})
}

func concurrent(t *testing.T, n int, call func(i int) error) {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := call(i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

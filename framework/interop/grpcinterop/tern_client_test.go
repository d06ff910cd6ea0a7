package grpcinterop_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	ggrpc "google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	tmd "github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
	tgrpc "github.com/ternhq/tern/framework/transport/grpc"
)

type echoServer interface{}

type echoImpl struct{}

func unaryHandler(fn func(ctx context.Context, in *wrapperspb.BytesValue) (proto.Message, error)) ggrpc.MethodHandler {
	return func(_ any, ctx context.Context, dec func(any) error, _ ggrpc.UnaryServerInterceptor) (any, error) {
		in := new(wrapperspb.BytesValue)
		if err := dec(in); err != nil {
			return nil, err
		}
		return fn(ctx, in)
	}
}

func startGrpcGoServer(t *testing.T) string {
	desc := &ggrpc.ServiceDesc{
		ServiceName: "interop.Echo",
		HandlerType: (*echoServer)(nil),
		Methods: []ggrpc.MethodDesc{
			{MethodName: "Echo", Handler: unaryHandler(func(ctx context.Context, in *wrapperspb.BytesValue) (proto.Message, error) {
				md, _ := metadata.FromIncomingContext(ctx)
				_ = ggrpc.SetHeader(ctx, metadata.MD{"h-out": md.Get("x-in"), "h-bin": md.Get("x-bin")})
				_ = ggrpc.SetTrailer(ctx, metadata.MD{"t-out": md.Get("x-in")})
				return in, nil
			})},
			{MethodName: "Fail", Handler: unaryHandler(func(ctx context.Context, in *wrapperspb.BytesValue) (proto.Message, error) {
				c, _ := strconv.Atoi(string(in.Value))
				return nil, status.Errorf(codes.Code(c), "code %d: 100%% é\n", c)
			})},
			{MethodName: "Block", Handler: unaryHandler(func(ctx context.Context, in *wrapperspb.BytesValue) (proto.Message, error) {
				<-ctx.Done()
				return nil, status.FromContextError(ctx.Err()).Err()
			})},
		},
	}
	srv := ggrpc.NewServer(ggrpc.MaxRecvMsgSize(maxMsg), ggrpc.MaxSendMsgSize(maxMsg))
	srv.RegisterService(desc, &echoImpl{})
	ln := listen(t)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

func ternDial(t testing.TB, addr string, gzip bool) *tgrpc.ClientConn {
	cfg := tgrpc.DefaultConfig()
	cfg.MaxRecvMsgSize = maxMsg
	if gzip {
		cfg.SendCompression = "gzip"
	}
	cc, err := tgrpc.Dial(testCtx(t), "tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func TestTernClientToGrpcGoServer(t *testing.T) {
	addr := startGrpcGoServer(t)
	cc := ternDial(t, addr, false)
	t.Run("unary and metadata", func(t *testing.T) {
		md := tmd.MD{"x-in": {"v1"}, "x-bin": {"\xff\x00"}}
		resp, hdr, tr, err := cc.Invoke(testCtx(t), echoMethod, md, marshal(t, []byte("hi")))
		if err != nil || string(unmarshal(t, resp)) != "hi" {
			t.Fatalf("Invoke: %v", err)
		}
		if hdr.Get("h-out") != "v1" || hdr.Get("h-bin") != "\xff\x00" {
			t.Errorf("header = %v", hdr)
		}
		if tr.Get("t-out") != "v1" {
			t.Errorf("trailer = %v", tr)
		}
	})
	t.Run("4 MiB plain and gzip", func(t *testing.T) {
		big := bytes.Repeat([]byte("abcdefgh"), bigSize/8)
		for _, c := range []*tgrpc.ClientConn{cc, ternDial(t, addr, true)} {
			resp, _, _, err := c.Invoke(testCtx(t), echoMethod, nil, marshal(t, big))
			if err != nil || !bytes.Equal(unmarshal(t, resp), big) {
				t.Fatalf("4 MiB: %v", err)
			}
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
		defer cancel()
		_, _, _, err := cc.Invoke(ctx, blockMethod, nil, marshal(t, nil))
		if rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		time.AfterFunc(30*time.Millisecond, cancel)
		_, _, _, err := cc.Invoke(ctx, blockMethod, nil, marshal(t, nil))
		if rpcerr.CodeOf(err) != rpcerr.CodeCanceled {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("every status", func(t *testing.T) {
		for c := 1; c <= 16; c++ {
			_, _, _, err := cc.Invoke(testCtx(t), failMethod, nil, marshal(t, []byte(strconv.Itoa(c))))
			var e *rpcerr.Error
			if !errors.As(err, &e) || int(e.Code()) != c || e.Message() != fmt.Sprintf("code %d: 100%% é\n", c) {
				t.Errorf("code %d: got %v", c, err)
			}
		}
	})
	t.Run("unknown method", func(t *testing.T) {
		_, _, _, err := cc.Invoke(testCtx(t), "/interop.Echo/Nope", nil, marshal(t, nil))
		if rpcerr.CodeOf(err) != rpcerr.CodeUnimplemented {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("1000 concurrent", func(t *testing.T) {
		concurrent(t, 1000, func(i int) error {
			want := []byte(strconv.Itoa(i))
			resp, _, _, err := cc.Invoke(testCtx(t), echoMethod, nil, marshal(t, want))
			if err != nil {
				return err
			}
			if got := unmarshal(t, resp); !bytes.Equal(got, want) {
				return fmt.Errorf("call %d: got %q", i, got)
			}
			return nil
		})
	})
}

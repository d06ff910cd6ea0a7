package interop_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	ggrpc "google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/client/callopt"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	tmd "github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
)

// These tests run Tern's whole stack (the server's shared port, the generated pbecho client over
// WithTransportProtocol(transport.GRPC)) against grpc-go v1.85.0, both ways.

func grpcGoDial(t *testing.T, addr string) *ggrpc.ClientConn {
	t.Helper()
	cc, err := ggrpc.NewClient(addr, ggrpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func TestGrpcGoClientTernServerUnary(t *testing.T) {
	_, addr := echotest.StartPbServer(t) // Thrift services share the port
	cc := grpcGoDial(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out pbecho.Msg
	mdCtx := metadata.AppendToOutgoingContext(ctx, "rpc-transit-k", "!")
	if err := cc.Invoke(mdCtx, "/pbecho.PbEcho/Say", &pbecho.Msg{Value: "hi"}, &out); err != nil || out.GetValue() != "hi!" {
		t.Fatalf("Say = %q, %v; want hi! (the metainfo header reaches the handler)", out.GetValue(), err)
	}
	var header, trailer metadata.MD
	mdCtx = metadata.AppendToOutgoingContext(ctx, "x-in", "v2")
	err := cc.Invoke(mdCtx, "/pbecho.PbEcho/Say", &pbecho.Msg{Value: "md"}, &out, ggrpc.Header(&header), ggrpc.Trailer(&trailer))
	if err != nil || out.GetValue() != "v2" || strings.Join(header.Get("h-out"), ",") != "v2" ||
		strings.Join(trailer.Get("t-out"), ",") != "v2" {
		t.Fatalf("Say md = %q, %v, header %v, trailer %v; want v2 in each (metadata.FromIncomingContext, SetHeader, SetTrailer)",
			out.GetValue(), err, header, trailer)
	}
	tests := []struct {
		name, path, value string
		timeout           time.Duration
		want              codes.Code
	}{
		{"handler error", "/pbecho.PbEcho/Say", "fail", 0, codes.NotFound},
		{"panic", "/pbecho.PbEcho/Say", "panic", 0, codes.Internal},
		{"deadline", "/pbecho.PbEcho/Say", "sleep", 50 * time.Millisecond, codes.DeadlineExceeded},
		{"unknown method", "/pbecho.PbEcho/Nope", "x", 0, codes.Unimplemented},
		{"unknown service", "/pbecho.Nope/Say", "x", 0, codes.Unimplemented},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cctx := ctx
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				cctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			err := cc.Invoke(cctx, tc.path, &pbecho.Msg{Value: tc.value}, new(pbecho.Msg))
			if status.Code(err) != tc.want {
				t.Fatalf("%v, want %v", err, tc.want)
			}
		})
	}
}

func TestGrpcGoClientTernServerStreams(t *testing.T) {
	_, addr := echotest.StartPbServer(t)
	cc := grpcGoDial(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	t.Run("client streaming", func(t *testing.T) {
		s, err := cc.NewStream(ctx, &ggrpc.StreamDesc{ClientStreams: true}, "/pbecho.PbEcho/Collect")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"x", "y", "z"} {
			if err := s.SendMsg(&pbecho.Msg{Value: v}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CloseSend(); err != nil {
			t.Fatal(err)
		}
		var out pbecho.Msg
		if err := s.RecvMsg(&out); err != nil || out.GetValue() != "xyz" {
			t.Fatalf("Collect = %q, %v", out.GetValue(), err)
		}
	})
	t.Run("server streaming", func(t *testing.T) {
		s, err := cc.NewStream(ctx, &ggrpc.StreamDesc{ServerStreams: true}, "/pbecho.PbEcho/Repeat")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SendMsg(&pbecho.Msg{Value: "r", Count: 3}); err != nil {
			t.Fatal(err)
		}
		_ = s.CloseSend()
		n := 0
		for {
			var m pbecho.Msg
			err := s.RecvMsg(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 3 {
			t.Fatalf("got %d messages, want 3", n)
		}
	})
	t.Run("bidi", func(t *testing.T) {
		s, err := cc.NewStream(ctx, &ggrpc.StreamDesc{ClientStreams: true, ServerStreams: true}, "/pbecho.PbEcho/Chat")
		if err != nil {
			t.Fatal(err)
		}
		big := strings.Repeat("b", 1<<20)
		for _, v := range []string{"a", big} {
			if err := s.SendMsg(&pbecho.Msg{Value: v}); err != nil {
				t.Fatal(err)
			}
			var m pbecho.Msg
			if err := s.RecvMsg(&m); err != nil || m.GetValue() != v {
				t.Fatalf("Chat: %d bytes, %v", len(m.GetValue()), err)
			}
		}
		_ = s.CloseSend()
		if err := s.RecvMsg(new(pbecho.Msg)); !errors.Is(err, io.EOF) {
			t.Fatalf("end: %v", err)
		}
	})
}

// pbechoGo implements PbEcho on grpc-go, through a hand-written service description.
type pbechoGo struct{}

func (pbechoGo) say(_ any, ctx context.Context, dec func(any) error, _ ggrpc.UnaryServerInterceptor) (any, error) {
	in := new(pbecho.Msg)
	if err := dec(in); err != nil {
		return nil, err
	}
	if in.GetValue() == "fail" {
		return nil, status.Error(codes.PermissionDenied, "denied")
	}
	if in.GetValue() == "sleep" {
		<-ctx.Done()
		return nil, status.FromContextError(ctx.Err()).Err()
	}
	md, _ := metadata.FromIncomingContext(ctx)
	if in.GetValue() == "md" { // as the Tern test handler does
		v := strings.Join(md.Get("x-in"), ",")
		_ = ggrpc.SetHeader(ctx, metadata.Pairs("h-out", v))
		_ = ggrpc.SetTrailer(ctx, metadata.Pairs("t-out", v))
		return &pbecho.Msg{Value: v}, nil
	}
	return &pbecho.Msg{Value: in.GetValue() + strings.Join(md.Get("rpc-transit-k"), "")}, nil
}

func (pbechoGo) chat(_ any, s ggrpc.ServerStream) error {
	for {
		var m pbecho.Msg
		if err := s.RecvMsg(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := s.SendMsg(&m); err != nil {
			return err
		}
	}
}

func (p pbechoGo) repeat(_ any, s ggrpc.ServerStream) error {
	var m pbecho.Msg
	if err := s.RecvMsg(&m); err != nil {
		return err
	}
	for range m.GetCount() {
		if err := s.SendMsg(&pbecho.Msg{Value: m.GetValue()}); err != nil {
			return err
		}
	}
	return nil
}

func startGrpcGoPbEcho(t *testing.T) string {
	t.Helper()
	var impl pbechoGo
	desc := &ggrpc.ServiceDesc{
		ServiceName: "pbecho.PbEcho",
		HandlerType: (*any)(nil),
		Methods:     []ggrpc.MethodDesc{{MethodName: "Say", Handler: impl.say}},
		Streams: []ggrpc.StreamDesc{
			{StreamName: "Chat", Handler: impl.chat, ServerStreams: true, ClientStreams: true},
			{StreamName: "Repeat", Handler: impl.repeat, ServerStreams: true},
		},
	}
	srv := ggrpc.NewServer()
	srv.RegisterService(desc, impl)
	ln := listenLoopback(t)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

func TestTernClientGrpcGoServer(t *testing.T) {
	addr := startGrpcGoPbEcho(t)
	cli := pbechoservice.MustNewClient("pbecho", client.WithHostPorts(addr), client.WithTransportProtocol(transport.GRPC),
		client.WithRPCTimeout(5*time.Second))
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if r, err := cli.Say(metainfo.WithValue(ctx, "K", "!"), &pbecho.Msg{Value: "hi"}); err != nil || r.GetValue() != "hi!" {
		t.Fatalf("Say = %v, %v; want hi! (metainfo as rpc-transit-k)", r, err)
	}
	if _, err := cli.Say(ctx, &pbecho.Msg{Value: "fail"}); rpcerr.CodeOf(err) != rpcerr.CodePermissionDenied {
		t.Fatalf("Say fail = %v, want PermissionDenied", err)
	}
	var header, trailer tmd.MD
	r, err := cli.Say(tmd.AppendToOutgoingContext(ctx, "X-In", "v1"), &pbecho.Msg{Value: "md"},
		callopt.WithGRPCHeader(&header), callopt.WithGRPCTrailer(&trailer))
	if err != nil || r.GetValue() != "v1" || header.Get("h-out") != "v1" || trailer.Get("t-out") != "v1" {
		t.Fatalf("Say md = %v, %v, header %v, trailer %v; want v1 in each", r, err, header, trailer)
	}
	if _, err := cli.Say(ctx, &pbecho.Msg{Value: "sleep"}, callopt.WithRPCTimeout(50*time.Millisecond)); rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded {
		t.Fatalf("Say past its timeout = %v, want DeadlineExceeded", err)
	}
	// The grpc-go server does not implement Collect: the status comes back at the end of the stream.
	collect, err := cli.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := collect.CloseAndRecv(); rpcerr.CodeOf(err) != rpcerr.CodeUnimplemented {
		t.Fatalf("Collect on a server without it = %v, want Unimplemented", err)
	}
	stream, err := cli.Repeat(ctx, &pbecho.Msg{Value: "r", Count: 4})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 4 {
		t.Fatalf("Repeat: %d messages, want 4", n)
	}
	chat, err := cli.Chat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"one", strings.Repeat("2", 1<<20)} {
		if err := chat.Send(&pbecho.Msg{Value: v}); err != nil {
			t.Fatal(err)
		}
		if m, err := chat.Recv(); err != nil || m.GetValue() != v {
			t.Fatalf("Chat: %d bytes, %v", len(m.GetValue()), err)
		}
	}
	_ = chat.CloseSend()
	if _, err := chat.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Chat end: %v", err)
	}
}

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

package grpcinterop_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"testing"

	ggrpc "google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	tmd "github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
	tgrpc "github.com/ternhq/tern/framework/transport/grpc"
)

// The streaming service, served alike by Tern and by grpc-go. Messages are raw bytes (rawCodec).
const (
	streamSum   = "/interop.Stream/Sum"   // client streaming: replies count and total size
	streamRange = "/interop.Stream/Range" // server streaming: (count, size) → count messages of size bytes
	streamEcho  = "/interop.Stream/Echo"  // bidi: echoes messages; headers echo x-in and x-bin
	streamFail  = "/interop.Stream/Fail"  // bidi: (count, code) → count messages, then status code
	streamWait  = "/interop.Stream/Wait"  // bidi: sends headers, then waits for the call's context
)

// rawCodec passes messages through as bytes.
type rawCodec struct{}

func (rawCodec) Name() string { return "raw" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case []byte:
		return v, nil
	case *[]byte:
		return *v, nil
	}
	return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*p = append([]byte(nil), data...)
	return nil
}

func ints(a, b uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, a), b)
}

func parseInts(b []byte) (uint32, uint32, error) {
	if len(b) != 8 {
		return 0, 0, status.Errorf(codes.InvalidArgument, "want 8 bytes, got %d", len(b))
	}
	return binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), nil
}

// msgStream is what the handlers below need of either server's stream.
type msgStream interface {
	send(b []byte) error
	recv() ([]byte, error)
	incoming() map[string][]string
	sendHeader(md map[string][]string) error
	setTrailer(md map[string][]string)
	ctx() context.Context
}

// handlers implement the streaming service once for both servers; waited receives the context error
// each Wait call ends with.
func handlers(waited chan<- error) map[string]func(s msgStream) error {
	return map[string]func(s msgStream) error{
		streamSum: func(s msgStream) error {
			var n, total uint32
			for {
				b, err := s.recv()
				if err == io.EOF {
					s.setTrailer(map[string][]string{"n": {strconv.Itoa(int(n))}})
					return s.send(ints(n, total))
				}
				if err != nil {
					return err
				}
				n, total = n+1, total+uint32(len(b))
			}
		},
		streamRange: func(s msgStream) error {
			b, err := s.recv()
			if err != nil {
				return err
			}
			count, size, err := parseInts(b)
			if err != nil {
				return err
			}
			s.setTrailer(map[string][]string{"sent": {strconv.Itoa(int(count))}})
			for i := range count {
				if err := s.send(repeat(byte(i), int(size))); err != nil {
					return err
				}
			}
			return nil
		},
		streamEcho: func(s msgStream) error {
			in := s.incoming()
			if err := s.sendHeader(map[string][]string{"echo-in": in["x-in"], "h-bin": in["x-bin"]}); err != nil {
				return err
			}
			for n := 0; ; n++ {
				b, err := s.recv()
				if err == io.EOF {
					s.setTrailer(map[string][]string{"count": {strconv.Itoa(n)}, "t-bin": {"\x00\xfe"}})
					return nil
				}
				if err != nil {
					return err
				}
				if err := s.send(b); err != nil {
					return err
				}
			}
		},
		streamFail: func(s msgStream) error {
			b, err := s.recv()
			if err != nil {
				return err
			}
			count, code, err := parseInts(b)
			if err != nil {
				return err
			}
			for i := range count {
				if err := s.send([]byte{byte(i)}); err != nil {
					return err
				}
			}
			s.setTrailer(map[string][]string{"why": {"asked to"}})
			return status.Errorf(codes.Code(code), "failed after %d", count)
		},
		streamWait: func(s msgStream) error {
			if err := s.sendHeader(map[string][]string{"waiting": {"yes"}}); err != nil {
				return err
			}
			<-s.ctx().Done()
			waited <- s.ctx().Err()
			return status.FromContextError(s.ctx().Err()).Err()
		},
	}
}

func repeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// ---- the Tern server's side ----

type ternServerStream struct{ ss *tgrpc.ServerStream }

func (s ternServerStream) send(b []byte) error                     { return s.ss.SendMsg(b) }
func (s ternServerStream) recv() ([]byte, error)                   { return s.ss.RecvMsg() }
func (s ternServerStream) incoming() map[string][]string           { return s.ss.Header() }
func (s ternServerStream) sendHeader(md map[string][]string) error { return s.ss.SendHeader(md) }
func (s ternServerStream) setTrailer(md map[string][]string)       { s.ss.SetTrailer(md) }
func (s ternServerStream) ctx() context.Context                    { return s.ss.Context() }

// ternStatus turns a handler's grpc-go status error into Tern's error model.
func ternStatus(err error) error {
	if st, ok := status.FromError(err); ok && err != nil {
		return rpcerr.New(rpcerr.Code(st.Code()), st.Message())
	}
	return err
}

func startTernStreamServer(t testing.TB, waited chan<- error, conns *atomic.Int32) string {
	cfg := tgrpc.DefaultConfig()
	cfg.MaxRecvMsgSize = maxMsg
	return serveTernHandlers(t, handlers(waited), cfg, conns)
}

// serveTernHandlers serves hs with a Tern server.
func serveTernHandlers(t testing.TB, hs map[string]func(s msgStream) error, cfg tgrpc.Config, conns *atomic.Int32) string {
	m := tgrpc.MethodMap{}
	for name, h := range hs {
		m[name] = tgrpc.StreamFunc(func(ctx context.Context, ss *tgrpc.ServerStream) error {
			return ternStatus(h(ternServerStream{ss}))
		})
	}
	return serveTernCounting(t, tgrpc.NewServer(m, cfg), conns)
}

// ---- the grpc-go server's side ----

type goServerStream struct{ ss ggrpc.ServerStream }

func (s goServerStream) send(b []byte) error { return s.ss.SendMsg(b) }
func (s goServerStream) recv() ([]byte, error) {
	var b []byte
	err := s.ss.RecvMsg(&b)
	return b, err
}
func (s goServerStream) incoming() map[string][]string {
	md, _ := metadata.FromIncomingContext(s.ss.Context())
	return md
}
func (s goServerStream) sendHeader(md map[string][]string) error {
	return s.ss.SendHeader(metadata.MD(md))
}
func (s goServerStream) setTrailer(md map[string][]string) { s.ss.SetTrailer(metadata.MD(md)) }
func (s goServerStream) ctx() context.Context              { return s.ss.Context() }

func startGoStreamServer(t testing.TB, waited chan<- error) string {
	return serveGoHandlers(t, handlers(waited))
}

// serveGoHandlers serves hs with a grpc-go server, its options added to the defaults.
func serveGoHandlers(t testing.TB, hs map[string]func(s msgStream) error, opts ...ggrpc.ServerOption) string {
	desc := &ggrpc.ServiceDesc{ServiceName: "interop.Stream", HandlerType: (*echoServer)(nil)}
	for name, h := range hs {
		desc.Streams = append(desc.Streams, ggrpc.StreamDesc{
			StreamName:    name[len("/interop.Stream/"):],
			ClientStreams: true, ServerStreams: true,
			Handler: func(_ any, ss ggrpc.ServerStream) error { return h(goServerStream{ss}) },
		})
	}
	opts = append(opts, ggrpc.MaxRecvMsgSize(maxMsg), ggrpc.MaxSendMsgSize(maxMsg), ggrpc.ForceServerCodec(rawCodec{}))
	srv := ggrpc.NewServer(opts...)
	srv.RegisterService(desc, &echoImpl{})
	ln := listen(t)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

// ---- the clients ----

// clientStream is what the scenarios need of either client's stream. Errors carry rpcerr codes.
type clientStream interface {
	send(b []byte) error
	recv() ([]byte, error)
	closeSend() error
	header() (map[string][]string, error)
	trailer() map[string][]string
}

// opener starts a call with the metadata pairs kv (key, value, ...).
type opener func(ctx context.Context, method string, kv ...string) (clientStream, error)

type ternClientStream struct{ cs *tgrpc.ClientStream }

func (s ternClientStream) send(b []byte) error          { return s.cs.SendMsg(b) }
func (s ternClientStream) recv() ([]byte, error)        { return s.cs.RecvMsg() }
func (s ternClientStream) closeSend() error             { return s.cs.CloseSend() }
func (s ternClientStream) trailer() map[string][]string { return s.cs.Trailer() }
func (s ternClientStream) header() (map[string][]string, error) {
	md, err := s.cs.Header()
	return md, err
}

func ternOpener(cc *tgrpc.ClientConn) opener {
	return func(ctx context.Context, method string, kv ...string) (clientStream, error) {
		cs, err := cc.NewStream(ctx, method, tmd.New(kv...))
		return ternClientStream{cs}, err
	}
}

type goClientStream struct{ cs ggrpc.ClientStream }

func (s goClientStream) send(b []byte) error { return ternStatus(s.cs.SendMsg(b)) }
func (s goClientStream) recv() ([]byte, error) {
	var b []byte
	err := s.cs.RecvMsg(&b)
	return b, ternStatus(err)
}
func (s goClientStream) closeSend() error             { return ternStatus(s.cs.CloseSend()) }
func (s goClientStream) trailer() map[string][]string { return s.cs.Trailer() }
func (s goClientStream) header() (map[string][]string, error) {
	md, err := s.cs.Header()
	return md, ternStatus(err)
}

func goOpener(cc *ggrpc.ClientConn, opts ...ggrpc.CallOption) opener {
	desc := &ggrpc.StreamDesc{ClientStreams: true, ServerStreams: true}
	opts = append(opts, ggrpc.ForceCodec(rawCodec{}))
	return func(ctx context.Context, method string, kv ...string) (clientStream, error) {
		ctx = metadata.AppendToOutgoingContext(ctx, kv...)
		cs, err := cc.NewStream(ctx, desc, method, opts...)
		if err != nil {
			return nil, ternStatus(err)
		}
		return goClientStream{cs}, nil
	}
}

func TestStreamingGrpcGoClientToTernServer(t *testing.T) {
	waited := make(chan error, 4)
	var conns atomic.Int32
	cc := grpcGoClient(t, startTernStreamServer(t, waited, &conns))
	runScenarios(t, goOpener(cc), waited, nil)
	if n := conns.Load(); n != 1 {
		t.Fatalf("the grpc-go client used %d connections, want 1", n)
	}
}

func TestStreamingTernClientToGrpcGoServer(t *testing.T) {
	waited := make(chan error, 4)
	cc := ternDial(t, startGoStreamServer(t, waited), false)
	runScenarios(t, ternOpener(cc), waited, nil)
}

// TestStreamingGzip streams gzip-compressed messages both ways.
func TestStreamingGzip(t *testing.T) {
	gz := map[string]bool{"bidi with metadata both ways": true, "4 MiB message": true}
	t.Run("grpc-go client to Tern server", func(t *testing.T) {
		cc := grpcGoClient(t, startTernStreamServer(t, nil, new(atomic.Int32)))
		runScenarios(t, goOpener(cc, ggrpc.UseCompressor("gzip")), nil, gz)
	})
	t.Run("Tern client to grpc-go server", func(t *testing.T) {
		cc := ternDial(t, startGoStreamServer(t, nil), true)
		runScenarios(t, ternOpener(cc), nil, gz)
	})
}

// runScenarios runs the scenarios, or those named in only.
func runScenarios(t *testing.T, open opener, waited <-chan error, only map[string]bool) {
	for _, sc := range scenarios() {
		if only != nil && !only[sc.name] {
			continue
		}
		t.Run(sc.name, func(t *testing.T) {
			if err := sc.run(testCtx(t), open, waited); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// isCode reports whether err carries code.
func isCode(err error, code rpcerr.Code) bool {
	var e *rpcerr.Error
	return errors.As(err, &e) && e.Code() == code
}

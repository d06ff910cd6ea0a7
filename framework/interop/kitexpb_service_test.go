package interop_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/streaming"
)

// The Tern side of kitexpeer.echo.Echo (kitexpeer/echopb/echo.proto), written by hand in the shape the
// tern generator emits for a proto service: args and result wrappers implementing codec/protobuf.Body,
// a MethodHandler per unary method, a StreamHandler per streaming one.

// pbArgs holds a method's request.
type pbArgs struct{ Req *echopb.Request }

func (a *pbArgs) Message() proto.Message {
	if a.Req == nil {
		return nil
	}
	return a.Req
}

func (a *pbArgs) MessageToDecode() proto.Message {
	if a.Req == nil {
		a.Req = new(echopb.Request)
	}
	return a.Req
}

// pbResult holds a method's response.
type pbResult struct{ Success *echopb.Response }

func (r *pbResult) Message() proto.Message {
	if r.Success == nil {
		return nil
	}
	return r.Success
}

func (r *pbResult) MessageToDecode() proto.Message {
	if r.Success == nil {
		r.Success = new(echopb.Response)
	}
	return r.Success
}

// pbEchoService is the handler interface of the Tern service.
type pbEchoService interface {
	Echo(ctx context.Context, req *echopb.Request) (*echopb.Response, error)
	ServerStream(req *echopb.Request, st streaming.ServerStream) error
	ClientStream(st streaming.ServerStream) error
	BidiStream(st streaming.ServerStream) error
}

// ternPBInfo describes kitexpeer.echo.Echo to Tern, plus the unary methods extra (shaped like Echo),
// which no server implements, for unknown-method tests.
func ternPBInfo(extra ...string) *serviceinfo.ServiceInfo {
	unary := func(name string) *serviceinfo.MethodInfo {
		return &serviceinfo.MethodInfo{
			Name: name,
			Handler: func(ctx context.Context, h, args, result any) error {
				resp, err := h.(pbEchoService).Echo(ctx, args.(*pbArgs).Req)
				if err != nil {
					return err
				}
				result.(*pbResult).Success = resp
				return nil
			},
			NewArgs:   func() any { return new(pbArgs) },
			NewResult: func() any { return new(pbResult) },
		}
	}
	stream := func(name string, mode streaming.Mode, h serviceinfo.StreamHandler) *serviceinfo.MethodInfo {
		return &serviceinfo.MethodInfo{Name: name, StreamingMode: mode, StreamHandler: h}
	}
	methods := map[string]*serviceinfo.MethodInfo{
		"Echo": unary("Echo"),
		"ServerStream": stream("ServerStream", streaming.ServerStreaming, func(h any, st streaming.ServerStream) error {
			req := new(echopb.Request)
			if err := st.RecvMsg(req); err != nil {
				return err
			}
			return h.(pbEchoService).ServerStream(req, st)
		}),
		"ClientStream": stream("ClientStream", streaming.ClientStreaming, func(h any, st streaming.ServerStream) error {
			return h.(pbEchoService).ClientStream(st)
		}),
		"BidiStream": stream("BidiStream", streaming.BidiStreaming, func(h any, st streaming.ServerStream) error {
			return h.(pbEchoService).BidiStream(st)
		}),
	}
	for _, name := range extra {
		methods[name] = unary(name)
	}
	return &serviceinfo.ServiceInfo{
		ServiceName:  kitexpeer.PBServiceName,
		PackageName:  kitexpeer.PBPackageName,
		HandlerType:  (*pbEchoService)(nil),
		Methods:      methods,
		PayloadCodec: serviceinfo.Protobuf,
	}
}

// ternPBHandler serves kitexpeer.echo.Echo on Tern with the behaviour of kitexpeer's Kitex handler
// (see kitexpeer.NewPBServer), except that fail with error_code returns an rpcerr error of that code
// and biz_status is ignored (Tern has no business status).
type ternPBHandler struct{}

func (ternPBHandler) Echo(ctx context.Context, req *echopb.Request) (*echopb.Response, error) {
	if req.GetDelayMs() > 0 {
		t := time.NewTimer(time.Duration(req.GetDelayMs()) * time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	if req.GetPanic() {
		panic("tern handler asked to panic")
	}
	if err := ternRequestedError(req); err != nil {
		return nil, err
	}
	metainfo.SendBackwardValue(ctx, "echoed", req.GetMessage())
	return &echopb.Response{Message: req.GetMessage(), Payload: req.GetPayload(), Meta: ternObservedMeta(ctx, req)}, nil
}

func ternRequestedError(req *echopb.Request) error {
	if !req.GetFail() {
		return nil
	}
	msg := "failed: " + req.GetMessage()
	if req.GetErrorCode() != 0 {
		return rpcerr.New(rpcerr.Code(req.GetErrorCode()), msg)
	}
	return errors.New(msg)
}

func ternObservedMeta(ctx context.Context, req *echopb.Request) map[string]string {
	meta := map[string]string{}
	for _, k := range req.GetMetaKeys() {
		if v, ok := metainfo.GetValue(ctx, k); ok {
			meta["t."+k] = v
		}
		if v, ok := metainfo.GetPersistentValue(ctx, k); ok {
			meta["p."+k] = v
		}
	}
	if _, ok := ctx.Deadline(); ok {
		meta["deadline"] = "set"
	}
	return meta
}

func (ternPBHandler) ServerStream(req *echopb.Request, st streaming.ServerStream) error {
	meta := ternObservedMeta(st.Context(), req)
	for i := range req.GetCount() {
		resp := &echopb.Response{Message: req.GetMessage(), Index: i}
		if i == 0 {
			resp.Meta = meta
		}
		if err := st.SendMsg(resp); err != nil {
			return err
		}
	}
	return ternRequestedError(req)
}

func (ternPBHandler) ClientStream(st streaming.ServerStream) error {
	var msgs []string
	for {
		req := new(echopb.Request)
		err := st.RecvMsg(req)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := ternRequestedError(req); err != nil {
			return err
		}
		msgs = append(msgs, req.GetMessage())
	}
	return st.SendMsg(&echopb.Response{Message: strings.Join(msgs, ","), Index: int32(len(msgs))})
}

func (ternPBHandler) BidiStream(st streaming.ServerStream) error {
	for i := int32(0); ; i++ {
		req := new(echopb.Request)
		err := st.RecvMsg(req)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ternRequestedError(req); err != nil {
			return err
		}
		if err := st.SendMsg(&echopb.Response{Message: req.GetMessage(), Index: i, Payload: req.GetPayload()}); err != nil {
			return err
		}
	}
}

// startTernPBServer starts a Tern server for kitexpeer.echo.Echo on a free loopback port, stopped when
// the test ends, and returns its address.
func startTernPBServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := server.NewServer(server.WithListener(ln), server.WithLogger(echotest.QuietLogger()),
		server.WithExitWaitTime(time.Second))
	if err := svr.RegisterService(ternPBInfo(), ternPBHandler{}); err != nil {
		t.Fatal(err)
	}
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	return svr.Addr().String()
}

// sharedKitexPBServer returns the Kitex protobuf server named name, starting it on first use; TestMain
// stops it (see TestMain for why Kitex servers are not stopped per test).
func sharedKitexPBServer(t testing.TB, name string) *kitexpeer.PBServer {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if s, ok := sharedPB[name]; ok {
		return s
	}
	s, err := kitexpeer.NewPBServer("")
	if err != nil {
		t.Fatalf("start Kitex protobuf server %s: %v", name, err)
	}
	sharedPB[name] = s
	shared.stops = append(shared.stops, s.Stop)
	return s
}

// sharedPB holds the Kitex protobuf servers by name, guarded by shared's mutex.
var sharedPB = map[string]*kitexpeer.PBServer{}

// newKitexPBClient returns a Kitex protobuf client at addr speaking v, closed when the test ends.
func newKitexPBClient(t testing.TB, addr string, v kitexpeer.PBVariant, extra ...string) *kitexpeer.PBClient {
	t.Helper()
	c, err := kitexpeer.NewPBClient(addr, v, extra)
	if err != nil {
		t.Fatalf("kitexpeer.NewPBClient(%s): %v", v, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

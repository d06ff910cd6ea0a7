package interop_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb/echoservice"
	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/serviceinfo"
)

// ternPBInfo describes kitexpeer.echo.Echo to Tern as generated (echoservice), plus the unary methods
// extra, shaped like Echo, which no server implements: for unknown-method tests from a client.
func ternPBInfo(extra ...string) *serviceinfo.ServiceInfo {
	gen := echoservice.NewServiceInfo()
	info := *gen
	info.Methods = maps.Clone(gen.Methods)
	for _, name := range extra {
		info.Methods[name] = &serviceinfo.MethodInfo{
			Name:      name,
			NewArgs:   func() any { return new(echoservice.EchoArgs) },
			NewResult: func() any { return new(echoservice.EchoResult) },
		}
	}
	return &info
}

// ternPBHandler serves kitexpeer.echo.Echo on Tern with the behaviour of kitexpeer's Kitex handler
// (see kitexpeer.NewPBServer; delay_ms is slept in full, whatever the deadline), except that fail with
// error_code returns an rpcerr error of that code, and biz_status an rpcerr.BizStatus error.
type ternPBHandler struct{}

var _ echopb.Echo = ternPBHandler{}

func (ternPBHandler) Echo(ctx context.Context, req *echopb.Request) (*echopb.Response, error) {
	time.Sleep(time.Duration(req.GetDelayMs()) * time.Millisecond)
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
	msg := "failed: " + req.GetMessage()
	if req.GetBizStatus() != 0 {
		be := rpcerr.BizStatus(req.GetBizStatus(), msg)
		if len(req.GetBizExtra()) > 0 {
			be = be.WithBizExtra(req.GetBizExtra())
		}
		return be
	}
	if !req.GetFail() {
		return nil
	}
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

// ServerStream also sends the header x-stream: ServerStream and the trailer x-count: <count>, as
// kitexpeer's handler does.
func (ternPBHandler) ServerStream(req *echopb.Request, st echopb.Echo_ServerStreamServer) error {
	if req.GetPanic() {
		panic("tern handler asked to panic")
	}
	meta := ternObservedMeta(st.Context(), req)
	if err := st.SetHeader(metadata.New("x-stream", "ServerStream")); err != nil {
		return err
	}
	st.SetTrailer(metadata.New("x-count", strconv.Itoa(int(req.GetCount()))))
	for i := range req.GetCount() {
		resp := &echopb.Response{Message: req.GetMessage(), Index: i}
		if i == 0 {
			resp.Meta = meta
		}
		if err := st.Send(resp); err != nil {
			return err
		}
	}
	return ternRequestedError(req)
}

func (ternPBHandler) ClientStream(st echopb.Echo_ClientStreamServer) error {
	var msgs []string
	for {
		req, err := st.Recv()
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
	return st.SendAndClose(&echopb.Response{Message: strings.Join(msgs, ","), Index: int32(len(msgs))})
}

func (ternPBHandler) BidiStream(st echopb.Echo_BidiStreamServer) error {
	for i := int32(0); ; i++ {
		req, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ternRequestedError(req); err != nil {
			return err
		}
		if err := st.Send(&echopb.Response{Message: req.GetMessage(), Index: i, Payload: req.GetPayload()}); err != nil {
			return err
		}
	}
}

// startTernPBServer starts a Tern server for kitexpeer.echo.Echo on a free loopback port, stopped when
// the test ends, and returns its address.
func startTernPBServer(t testing.TB) string {
	t.Helper()
	return startTernPBServerWith(t, ternPBHandler{})
}

// startTernPBServerWith is startTernPBServer with handler h.
func startTernPBServerWith(t testing.TB, h echopb.Echo) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := echoservice.NewServer(h, server.WithListener(ln), server.WithLogger(echotest.QuietLogger()),
		server.WithExitWaitTime(time.Second))
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

package echotest

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho"
	"github.com/ternhq/tern/framework/internal/gen/pb/pbecho/pbechoservice"
	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
)

// PbHandler implements pbecho.PbEcho (testdata/pbecho.proto) as the IDL documents.
type PbHandler struct{}

var _ pbecho.PbEcho = PbHandler{}

// Say echoes the value with the transient metainfo value "K" appended; "fail", "biz", "panic" and
// "sleep" fail with NotFound, fail with business status 404, panic, or sleep 200ms (or until ctx ends).
// Over gRPC, "md" answers with the request header "x-in", which it also returns as the response header
// "h-out" and the trailer "t-out" (over other transports, with an empty value).
func (PbHandler) Say(ctx context.Context, req *pbecho.Msg) (*pbecho.Msg, error) {
	switch req.GetValue() {
	case "fail":
		return nil, rpcerr.New(rpcerr.CodeNotFound, "no such thing")
	case "biz":
		return nil, rpcerr.BizStatus(404, "no such item").WithBizExtra(map[string]string{"k": "v"})
	case "panic":
		panic("asked to")
	case "md":
		in, ok := metadata.FromIncomingContext(ctx)
		if !ok { // not a gRPC call
			return &pbecho.Msg{}, nil
		}
		v := in.Get("x-in")
		if err := metadata.SetHeader(ctx, metadata.New("h-out", v)); err != nil {
			return nil, err
		}
		if err := metadata.SetTrailer(ctx, metadata.New("t-out", v)); err != nil {
			return nil, err
		}
		return &pbecho.Msg{Value: v}, nil
	case "sleep":
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	v, _ := metainfo.GetValue(ctx, "K")
	return &pbecho.Msg{Value: req.GetValue() + v}, nil
}

// Collect joins the values the client streams.
func (PbHandler) Collect(stream pbecho.PbEcho_CollectServer) error {
	var b strings.Builder
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&pbecho.Msg{Value: b.String()})
		}
		if err != nil {
			return err
		}
		b.WriteString(m.GetValue())
	}
}

// Repeat streams count copies of the value; "fail" fails after the first.
func (PbHandler) Repeat(req *pbecho.Msg, stream pbecho.PbEcho_RepeatServer) error {
	for i := range req.GetCount() {
		if i == 1 && req.GetValue() == "fail" {
			return rpcerr.New(rpcerr.CodeAborted, "failed after one")
		}
		if err := stream.Send(&pbecho.Msg{Value: req.GetValue()}); err != nil {
			return err
		}
	}
	return nil
}

// Chat answers each message with its value until the client closes its side.
func (PbHandler) Chat(stream pbecho.PbEcho_ChatServer) error {
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(m); err != nil {
			return err
		}
	}
}

// StartPbServer starts a server hosting PbEcho (answered by PbHandler) and the Thrift Echo and Greeter
// services on a free loopback port, and stops it when the test ends.
func StartPbServer(t testing.TB, opts ...server.Option) (*server.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]server.Option{server.WithListener(ln), server.WithLogger(QuietLogger()),
		server.WithExitWaitTime(2 * time.Second)}, opts...)
	svr := server.NewServer(opts...)
	if err := pbechoservice.RegisterService(svr, PbHandler{}); err != nil {
		t.Fatal(err)
	}
	if err := registerThrift(svr, NewHandler()); err != nil {
		t.Fatal(err)
	}
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	return svr, svr.Addr().String()
}

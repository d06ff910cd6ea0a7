package kitexpeer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/pkg/kerrors"
	"github.com/cloudwego/kitex/pkg/remote"
	"github.com/cloudwego/kitex/pkg/remote/trans/nphttp2/metadata"
	"github.com/cloudwego/kitex/pkg/streaming"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/server"

	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
)

// PBServer is a running Kitex server for the protobuf service kitexpeer.echo.Echo.
type PBServer struct {
	addr     string
	bidiEnds chan error
	svr      server.Server
	runErr   chan error
	stopOnce sync.Once
	stopErr  error
}

// StartPBServer starts a PBServer on addr ("" picks a free port on 127.0.0.1) and stops it when the test
// ends. It fails the test if the server cannot start.
func StartPBServer(tb testing.TB, addr string) *PBServer {
	tb.Helper()
	s, err := NewPBServer(addr)
	if err != nil {
		tb.Fatalf("kitexpeer: start protobuf server: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Errorf("kitexpeer: stop protobuf server: %v", err)
		}
	})
	return s
}

// NewPBServer starts a Kitex v0.16.3 server for kitexpeer.echo.Echo on addr ("" means 127.0.0.1:0).
// One port serves Kitex Protobuf over TTHeader+Framed and Framed, and gRPC (HTTP/2); the TTHeader and
// HTTP/2 meta handlers are on, so metainfo, business status and error metadata travel. Context timeout
// is on too: a TTHeader request's RPC timeout (int key 12) becomes the handler's deadline, as a gRPC
// request's grpc-timeout always does. Stop it with Stop.
//
// Echo answers Response{message, payload} of the request, with meta as echopb.Response describes, after
// sleeping delay_ms — the whole delay, even past the call's deadline, so that a caller's timeout fires
// before any answer and never races a reply sent when the deadline passes. It panics when panic is
// set; with fail it returns the error "failed: <message>", a TransError of exception type error_code
// when that is not zero; with biz_status it returns a business status error
// (kerrors.NewBizStatusErrorWithExtra) of biz_status, "failed: <message>" and biz_extra. It sends the
// backward metainfo value echoed=<message>.
//
// ServerStream panics when panic is set, else sends count responses (index 0, 1, ...), each echoing
// message, then fails as Echo does when fail is set; it sends the header x-stream: ServerStream and the
// trailer x-count: <count>.
// ClientStream answers, once the client has finished, one response whose message joins the requests'
// messages with "," and whose index is their count (fail in any request fails the call at once).
// BidiStream answers each request with its echo, indexed, until the client finishes.
func NewPBServer(addr string) (*PBServer, error) {
	quietKitex()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &PBServer{addr: ln.Addr().String(), runErr: make(chan error, 1), bidiEnds: make(chan error, 16)}
	s.svr = server.NewServer(
		server.WithListener(ln),
		server.WithMetaHandler(transmeta.ServerTTHeaderHandler),
		server.WithMetaHandler(transmeta.ServerHTTP2Handler),
		server.WithEnableContextTimeout(true),
		server.WithExitWaitTime(time.Second),
	)
	if err := s.svr.RegisterService(newPBServiceInfo(), &pbHandler{bidiEnds: s.bidiEnds}); err != nil {
		ln.Close()
		return nil, err
	}
	go func() { s.runErr <- s.svr.Run() }()
	return s, nil
}

// Addr returns the server's host:port.
func (s *PBServer) Addr() string { return s.addr }

// BidiEnds delivers, for each BidiStream call the server handled, the error that ended its receive
// loop: nil when the client finished sending (io.EOF), else what RecvMsg returned (a cancelled
// stream, say). Ends nobody reads are dropped once 16 are waiting.
func (s *PBServer) BidiEnds() <-chan error { return s.bidiEnds }

// Stop stops the server and waits for Run to return. Calling it again returns the first result.
func (s *PBServer) Stop() error {
	s.stopOnce.Do(func() {
		err := s.svr.Stop()
		select {
		case runErr := <-s.runErr:
			s.stopErr = errors.Join(err, runErr)
		case <-time.After(5 * time.Second):
			s.stopErr = errors.Join(err, errors.New("kitexpeer: server did not stop within 5s"))
		}
	})
	return s.stopErr
}

// pbHandler implements pbEcho.
type pbHandler struct {
	bidiEnds chan<- error
}

// bidiEnded reports how a BidiStream call's receive loop ended.
func (h *pbHandler) bidiEnded(err error) {
	select {
	case h.bidiEnds <- err:
	default:
	}
}

func (h *pbHandler) Echo(ctx context.Context, req *echopb.Request) (*echopb.Response, error) {
	if req == nil {
		req = new(echopb.Request)
	}
	time.Sleep(time.Duration(req.GetDelayMs()) * time.Millisecond)
	if req.GetPanic() {
		panic("kitexpeer: panic requested by Request.panic")
	}
	if err := requestedError(req); err != nil {
		return nil, err
	}
	metainfo.SendBackwardValue(ctx, "echoed", req.GetMessage())
	return &echopb.Response{Message: req.GetMessage(), Payload: req.GetPayload(), Meta: observedMeta(ctx, req)}, nil
}

// requestedError is the error req asks the handler to return, or nil.
func requestedError(req *echopb.Request) error {
	msg := "failed: " + req.GetMessage()
	switch {
	case req.GetBizStatus() != 0 && len(req.GetBizExtra()) > 0:
		return kerrors.NewBizStatusErrorWithExtra(req.GetBizStatus(), msg, req.GetBizExtra())
	case req.GetBizStatus() != 0:
		return kerrors.NewBizStatusError(req.GetBizStatus(), msg)
	case !req.GetFail():
		return nil
	case req.GetErrorCode() != 0:
		return remote.NewTransErrorWithMsg(req.GetErrorCode(), msg)
	}
	return errors.New(msg)
}

// observedMeta reports what the handler's context carries for the keys req names.
func observedMeta(ctx context.Context, req *echopb.Request) map[string]string {
	meta := map[string]string{}
	for _, k := range req.GetMetaKeys() {
		if v, ok := metainfo.GetValue(ctx, k); ok {
			meta["t."+k] = v
		}
		if v, ok := metainfo.GetPersistentValue(ctx, k); ok {
			meta["p."+k] = v
		}
	}
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		for _, k := range req.GetHeaderKeys() {
			if v := md.Get(k); len(v) > 0 {
				meta["h."+k] = strings.Join(v, ",")
			}
		}
	}
	if _, ok := ctx.Deadline(); ok {
		meta["deadline"] = "set"
	}
	return meta
}

func (h *pbHandler) ServerStream(req *echopb.Request, st streaming.Stream) error {
	if req.GetPanic() {
		panic("kitexpeer: panic requested by Request.panic")
	}
	meta := observedMeta(st.Context(), req)
	if err := st.SetHeader(metadata.Pairs("x-stream", "ServerStream")); err != nil {
		return err
	}
	st.SetTrailer(metadata.Pairs("x-count", strconv.Itoa(int(req.GetCount()))))
	for i := range req.GetCount() {
		resp := &echopb.Response{Message: req.GetMessage(), Index: i}
		if i == 0 {
			resp.Meta = meta
		}
		if err := st.SendMsg(resp); err != nil {
			return err
		}
	}
	return requestedError(req)
}

func (h *pbHandler) ClientStream(st streaming.Stream) error {
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
		if err := requestedError(req); err != nil {
			return err
		}
		msgs = append(msgs, req.GetMessage())
	}
	return st.SendMsg(&echopb.Response{Message: strings.Join(msgs, ","), Index: int32(len(msgs))})
}

func (h *pbHandler) BidiStream(st streaming.Stream) error {
	for i := int32(0); ; i++ {
		req := new(echopb.Request)
		err := st.RecvMsg(req)
		if errors.Is(err, io.EOF) {
			h.bidiEnded(nil)
			return nil
		}
		if err != nil {
			h.bidiEnded(err)
			return err
		}
		if err := requestedError(req); err != nil {
			return err
		}
		if err := st.SendMsg(&echopb.Response{Message: req.GetMessage(), Index: i, Payload: req.GetPayload()}); err != nil {
			return fmt.Errorf("kitexpeer: BidiStream send %d: %w", i, err)
		}
	}
}

package kitexpeer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/pkg/generic"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/server"
)

// EchoErrorCode is the code of the EchoError the server throws when Request.fail is set.
const EchoErrorCode = 7

// EchoError is the IDL exception EchoError.
type EchoError struct {
	Code    int32
	Message string
}

func (e *EchoError) Error() string {
	return fmt.Sprintf("EchoError(code=%d, message=%q)", e.Code, e.Message)
}

// Server is a running Kitex generic server for service Echo.
type Server struct {
	addr     string
	svr      server.Server
	runErr   chan error
	notified chan map[string]any
	stopOnce sync.Once
	stopErr  error
}

// StartServer starts a Kitex server on addr ("" picks a free port on 127.0.0.1) and stops it when the
// test ends. It fails the test if the server cannot start.
func StartServer(tb testing.TB, addr string) *Server {
	tb.Helper()
	s, err := NewServer(addr)
	if err != nil {
		tb.Fatalf("kitexpeer: start server: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Errorf("kitexpeer: stop server: %v", err)
		}
	})
	return s
}

// NewServer starts a Kitex generic server for service Echo on addr ("" means 127.0.0.1:0). The server
// accepts TTHeader, Framed, Buffered and TTHeader+Framed connections on the one port and has the TTHeader
// and HTTP/2 meta handlers on, so metainfo and error metadata travel. Stop it with Stop.
//
// Handler: Echo answers Response{message: req.message, meta} where meta holds "t.<key>" (transient
// metainfo) and "p.<key>" (persistent metainfo) for each key of req.meta_keys that is present; it sleeps
// req.delay_ms first, throws EchoError{code: 7, message: "failed: "+message} when req.fail is set and
// panics when req.panic is set. Notify records the request for WaitNotify / Notified.
func NewServer(addr string) (*Server, error) {
	quietKitex()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	g, err := newEchoGeneric("", nil)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{
		addr:     ln.Addr().String(),
		runErr:   make(chan error, 1),
		notified: make(chan map[string]any, 128),
	}
	s.svr = server.NewServer(
		server.WithListener(ln),
		server.WithMetaHandler(transmeta.ServerTTHeaderHandler),
		server.WithMetaHandler(transmeta.ServerHTTP2Handler),
		server.WithExitWaitTime(time.Second),
	)
	svcInfo := generic.ServiceInfoWithGeneric(g)
	patchGenericMethods(svcInfo)
	if err := s.svr.RegisterService(svcInfo, &echoHandler{notified: s.notified}); err != nil {
		ln.Close()
		return nil, err
	}
	go func() { s.runErr <- s.svr.Run() }()
	return s, nil
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Notified delivers the request of every Notify call the server handled, decoded from JSON.
func (s *Server) Notified() <-chan map[string]any { return s.notified }

// WaitNotify waits for the next Notify request.
func (s *Server) WaitNotify(ctx context.Context) (map[string]any, error) {
	select {
	case req := <-s.notified:
		return req, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("kitexpeer: no Notify arrived: %w", ctx.Err())
	}
}

// Stop stops the server and waits for Run to return. Calling it again returns the first result.
func (s *Server) Stop() error {
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

// echoHandler implements generic.Service for the JSON generic codec: requests and responses are JSON
// text of the IDL structs.
type echoHandler struct {
	notified chan<- map[string]any
}

type echoRequest struct {
	Message  string   `json:"message"`
	DelayMS  int32    `json:"delay_ms"`
	Fail     bool     `json:"fail"`
	MetaKeys []string `json:"meta_keys"`
	Panic    bool     `json:"panic"`
}

type echoResponse struct {
	Message string            `json:"message"`
	Meta    map[string]string `json:"meta"`
}

// GenericCall handles one call. Echo's EchoError is returned as *EchoError; the method handler
// installed by patchGenericMethods turns it into result field 1.
func (h *echoHandler) GenericCall(ctx context.Context, method string, request any) (any, error) {
	body, ok := request.(string)
	if !ok {
		return nil, fmt.Errorf("kitexpeer: %s request is %T, want JSON string", method, request)
	}
	switch method {
	case "Echo":
		return h.echo(ctx, body)
	case "Notify":
		m, err := decodeJSONMap(body)
		if err != nil {
			return nil, err
		}
		select {
		case h.notified <- m:
		default: // nobody is reading; drop rather than block the server
		}
		return nil, nil
	}
	return nil, fmt.Errorf("kitexpeer: unexpected method %q", method)
}

func (h *echoHandler) echo(ctx context.Context, body string) (any, error) {
	var req echoRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		return nil, fmt.Errorf("kitexpeer: decode Echo request: %w", err)
	}
	if req.DelayMS > 0 {
		t := time.NewTimer(time.Duration(req.DelayMS) * time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	if req.Panic {
		panic("kitexpeer: panic requested by Request.panic")
	}
	if req.Fail {
		return nil, &EchoError{Code: EchoErrorCode, Message: "failed: " + req.Message}
	}
	resp := echoResponse{Message: req.Message, Meta: map[string]string{}}
	for _, k := range req.MetaKeys {
		if v, ok := metainfo.GetValue(ctx, k); ok {
			resp.Meta["t."+k] = v
		}
		if v, ok := metainfo.GetPersistentValue(ctx, k); ok {
			resp.Meta["p."+k] = v
		}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	return string(out), nil
}

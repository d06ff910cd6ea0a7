package interop_test

import (
	"errors"
	"testing"

	"github.com/cloudwego/kitex/pkg/streaming"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/rpcerr"
)

// Streaming calls that fail: the handler's error (or panic) ends the stream with its status, whatever
// the client is doing — sending more, or waiting for the response.

// failing is a request the handlers fail with ABORTED: a Tern handler's message "failed: f", a Kitex
// handler's (a TransError of type 10) "failed: f [biz error]".
var failing = &echopb.Request{Message: "f", Fail: true, ErrorCode: int32(rpcerr.CodeAborted)}

// TestKitexGRPCStreamErrorsTernServer: a Kitex client sees a Tern stream handler's error and panic as
// the stream's status.
func TestKitexGRPCStreamErrorsTernServer(t *testing.T) {
	c := newKitexPBClient(t, startTernPBServer(t), kitexpeer.PBGRPC)
	tests := []struct {
		name     string
		run      func(t *testing.T, st streaming.Stream) error
		method   string
		wantCode uint32
		wantMsg  string
	}{
		{"client_stream_fails", func(t *testing.T, st streaming.Stream) error {
			for _, req := range []*echopb.Request{{Message: "a"}, failing} {
				if err := st.SendMsg(req); err != nil {
					return err
				}
			}
			_ = st.Close()
			return st.RecvMsg(new(echopb.Response))
		}, "ClientStream", uint32(rpcerr.CodeAborted), "failed: f"},
		{"bidi_fails_midway", func(t *testing.T, st streaming.Stream) error {
			if err := st.SendMsg(&echopb.Request{Message: "a"}); err != nil {
				return err
			}
			if err := st.RecvMsg(new(echopb.Response)); err != nil {
				t.Fatalf("first echo: %v", err)
			}
			if err := st.SendMsg(failing); err != nil {
				return err
			}
			return st.RecvMsg(new(echopb.Response))
		}, "BidiStream", uint32(rpcerr.CodeAborted), "failed: f"},
		{"server_stream_panics", func(t *testing.T, st streaming.Stream) error {
			if err := st.SendMsg(&echopb.Request{Message: "p", Count: 2, Panic: true}); err != nil {
				return err
			}
			_ = st.Close()
			return st.RecvMsg(new(echopb.Response))
		}, "ServerStream", uint32(rpcerr.CodeInternal), "panic in handler Echo.ServerStream: tern handler asked to panic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := c.Stream(testContext(t), tt.method)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			err = tt.run(t, st)
			if code, msg, ok := kitexpeer.GRPCStatus(err); !ok || code != tt.wantCode || msg != tt.wantMsg {
				t.Errorf("stream ended with %T %v (status %d %q, %v); want %d %q", err, err, code, msg, ok, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

// TestTernGRPCStreamErrorsKitexServer: a Tern client sees a Kitex stream handler's error and panic as
// the stream's status.
func TestTernGRPCStreamErrorsKitexServer(t *testing.T) {
	c := newTernGRPCClient(t, sharedKitexPBServer(t, "grpc").Addr())
	tests := []struct {
		name     string
		run      func(t *testing.T) error
		wantCode rpcerr.Code
		wantMsg  string
	}{
		{"client_stream_fails", func(t *testing.T) error {
			st, err := c.ClientStream(testContext(t))
			if err != nil {
				return err
			}
			for _, req := range []*echopb.Request{{Message: "a"}, failing} {
				// A send may already see the end of a stream the server has failed.
				if err := st.Send(req); err != nil {
					break
				}
			}
			_, err = st.CloseAndRecv()
			return err
		}, rpcerr.CodeAborted, "failed: f [biz error]"},
		{"bidi_fails_midway", func(t *testing.T) error {
			st, err := c.BidiStream(testContext(t))
			if err != nil {
				return err
			}
			if err := st.Send(&echopb.Request{Message: "a"}); err != nil {
				return err
			}
			if _, err := st.Recv(); err != nil {
				t.Fatalf("first echo: %v", err)
			}
			if err := st.Send(failing); err != nil {
				return err
			}
			_, err = st.Recv()
			return err
		}, rpcerr.CodeAborted, "failed: f [biz error]"},
		{"server_stream_panics", func(t *testing.T) error {
			st, err := c.ServerStream(testContext(t), &echopb.Request{Message: "p", Count: 2, Panic: true})
			if err != nil {
				return err
			}
			_, err = st.Recv()
			return err
		}, rpcerr.CodeInternal, "panic: [happened in biz handler, method=Echo.ServerStream, please check the panic at the server side] " +
			"kitexpeer: panic requested by Request.panic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t)
			var re *rpcerr.Error
			if !errors.As(err, &re) || re.Code() != tt.wantCode || re.Message() != tt.wantMsg {
				t.Errorf("stream ended with %T %v; want %v %q", err, err, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

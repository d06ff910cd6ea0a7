package interop_test

import (
	"errors"
	"maps"
	"testing"

	"github.com/cloudwego/kitex/pkg/kerrors"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/rpcerr"
)

// Business status errors: an application outcome a handler reports by number (Kitex's
// kerrors.NewBizStatusError, Tern's rpcerr.BizStatus). Over TTHeader, with Kitex's TTHeader meta
// handlers on, it is an ordinary reply with an empty body and the string keys biz-status, biz-message
// and biz-extra (JSON); over gRPC, a status (INTERNAL from Kitex) with the trailers biz-status and
// biz-extra, the message in grpc-message. Framed has no header: the status is lost.

var bizExtra = map[string]string{"reason": "sold out", "sku": "42"}

// TestTernPBBizStatus: a Kitex handler's business status reaches a Tern client over TTHeader+Framed
// and gRPC; over Framed the Tern client, like a Kitex one, sees an empty success.
func TestTernPBBizStatus(t *testing.T) {
	srv := sharedKitexPBServer(t, "biz")
	tests := []struct {
		name string
		call func(t *testing.T, req *echopb.Request) (*echopb.Response, error)
		lost bool
	}{
		{"ttheader_framed", func(t *testing.T, req *echopb.Request) (*echopb.Response, error) {
			return newTernPBClient(t, srv.Addr(), kitexpeer.PBTTHeader).Echo(testContext(t), req)
		}, false},
		{"framed", func(t *testing.T, req *echopb.Request) (*echopb.Response, error) {
			return newTernPBClient(t, srv.Addr(), kitexpeer.PBFramed).Echo(testContext(t), req)
		}, true},
		{"grpc", func(t *testing.T, req *echopb.Request) (*echopb.Response, error) {
			return newTernGRPCClient(t, srv.Addr()).Echo(testContext(t), req)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, extra := range []map[string]string{nil, bizExtra} {
				resp, err := tt.call(t, &echopb.Request{Message: "biz", BizStatus: 404, BizExtra: extra})
				if tt.lost {
					if err != nil || resp.GetMessage() != "" {
						t.Errorf("Echo = %v, %v; want an empty success, as a Kitex client gets", resp, err)
					}
					continue
				}
				be, ok := rpcerr.BizStatusOf(err)
				if !ok {
					t.Fatalf("Echo with business status 404 = %v, %T %v; want a business status error", resp, err, err)
				}
				if st, _ := be.BizStatus(); st != 404 || be.Message() != "failed: biz" || !maps.Equal(be.BizExtra(), extra) {
					t.Errorf("business status %d, message %q, extra %v; want 404, \"failed: biz\", %v",
						st, be.Message(), be.BizExtra(), extra)
				}
			}
		})
	}
}

// TestKitexPBBizStatus: a Tern handler's rpcerr.BizStatus reaches a Kitex client as
// kerrors.BizStatusErrorIface over TTHeader+Framed and gRPC.
func TestKitexPBBizStatus(t *testing.T) {
	addr := startTernPBServer(t)
	for _, v := range []kitexpeer.PBVariant{kitexpeer.PBTTHeader, kitexpeer.PBGRPC} {
		t.Run(v.String(), func(t *testing.T) {
			c := newKitexPBClient(t, addr, v)
			for _, extra := range []map[string]string{nil, bizExtra} {
				resp, err := c.Echo(testContext(t), &echopb.Request{Message: "biz", BizStatus: 404, BizExtra: extra})
				var be kerrors.BizStatusErrorIface
				if !errors.As(err, &be) {
					t.Fatalf("Echo with business status 404 = %v, %T %v; want a Kitex business status error", resp, err, err)
				}
				if be.BizStatusCode() != 404 || be.BizMessage() != "failed: biz" || !maps.Equal(be.BizExtra(), extra) {
					t.Errorf("business status %d, message %q, extra %v; want 404, \"failed: biz\", %v",
						be.BizStatusCode(), be.BizMessage(), be.BizExtra(), extra)
				}
			}
		})
	}
}

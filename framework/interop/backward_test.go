package interop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	gopkgmetainfo "github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/pkg/generic"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/server"
	"github.com/cloudwego/kitex/server/genericserver"

	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/metainfo"
)

// backwardHandler is a Kitex JSON generic handler for Echo that answers like kitexpeer's and also sends
// the backward metainfo value echoed=<message>, as a Kitex service would with
// metainfo.SendBackwardValue.
type backwardHandler struct{}

func (*backwardHandler) GenericCall(ctx context.Context, method string, request any) (any, error) {
	var req struct {
		Message string `json:"message"`
	}
	body, _ := request.(string)
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		return nil, err
	}
	if !gopkgmetainfo.SendBackwardValue(ctx, "echoed", req.Message) {
		return nil, fmt.Errorf("handler context cannot send backward values")
	}
	out, err := json.Marshal(map[string]any{"message": req.Message, "meta": map[string]string{}})
	return string(out), err
}

var backwardServer struct {
	once sync.Once
	addr string
	err  error
}

// backwardKitexServer starts (once; TestMain stops it) a Kitex generic server with backwardHandler. It
// must be called outside parallel subtests: Kitex's IDL parsing is not safe alongside kitexpeer's.
func backwardKitexServer(t *testing.T) string {
	t.Helper()
	backwardServer.once.Do(func() {
		p, err := generic.NewThriftFileProviderWithOption(kitexpeer.IDLPath(),
			[]generic.ThriftIDLProviderOption{generic.WithIDLServiceName("Echo")})
		if err != nil {
			backwardServer.err = err
			return
		}
		g, err := generic.JSONThriftGeneric(p)
		if err != nil {
			backwardServer.err = err
			return
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			backwardServer.err = err
			return
		}
		svr := genericserver.NewServer(&backwardHandler{}, g, server.WithListener(ln),
			server.WithMetaHandler(transmeta.ServerTTHeaderHandler), server.WithExitWaitTime(time.Second))
		go func() { _ = svr.Run() }()
		stopAtExit(svr.Stop)
		backwardServer.addr = ln.Addr().String()
	})
	if backwardServer.err != nil {
		t.Fatalf("start Kitex server: %v", backwardServer.err)
	}
	return backwardServer.addr
}

// TestKitexBackwardMetainfo pins down how Kitex v0.16.3 sends backward metainfo over TTHeader — as bare
// string keys, with no RPC_BACKWARD_ prefix — and checks that a Tern client receives it.
func TestKitexBackwardMetainfo(t *testing.T) {
	addr := backwardKitexServer(t)
	for _, v := range []kitexpeer.Variant{kitexpeer.TTHeader, kitexpeer.TTHeaderFramed} {
		t.Run(v.String()+"/Wire", func(t *testing.T) {
			req := readHex(t, fmt.Sprintf("%s/%s_request.hex", wireDir, v))
			reply, err := kitexpeer.Exchange(testContext(t), addr, req)
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			f, err := kitexpeer.DecodeFrame(reply)
			if err != nil {
				t.Fatalf("decode reply %x: %v", reply, err)
			}
			if got, ok := f.StrKV["echoed"]; !ok || got != "hello" {
				t.Errorf("Kitex reply string keys %v: want the bare key echoed=hello", f.StrKV)
			}
			if _, ok := f.StrKV[metainfo.PrefixBackward+"echoed"]; ok {
				t.Errorf("Kitex reply string keys %v: unexpected prefixed key", f.StrKV)
			}
			t.Logf("Kitex reply: %s", f)
		})
		t.Run(v.String()+"/KitexClient", func(t *testing.T) {
			c := newKitexClient(t, addr, v)
			ctx := gopkgmetainfo.WithBackwardValues(testContext(t))
			if _, err := c.Echo(ctx, map[string]any{"message": "back"}); err != nil {
				t.Fatalf("Echo: %v", err)
			}
			if got, ok := gopkgmetainfo.RecvBackwardValue(ctx, "echoed"); !ok || got != "back" {
				t.Errorf("Kitex client: echoed = %q, %v; want \"back\" (all: %v)", got, ok, gopkgmetainfo.RecvAllBackwardValues(ctx))
			}
		})
		t.Run(v.String()+"/TernClient", func(t *testing.T) {
			c := newTernClient(t, addr, v)
			ctx := metainfo.WithBackwardValues(testContext(t))
			resp, err := c.Echo(ctx, &echo.Request{Message: "back"})
			if err != nil || resp.Message != "back" {
				t.Fatalf("Echo = %v, %v", resp, err)
			}
			if got, ok := metainfo.RecvBackwardValue(ctx, "echoed"); !ok || got != "back" {
				t.Errorf("Tern client: backward value echoed = %q, %v; want \"back\" (all received: %v)",
					got, ok, metainfo.RecvAllBackwardValues(ctx))
			}
		})
	}
}

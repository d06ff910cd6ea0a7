package client_test

import (
	"context"
	"testing"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/server"
)

// relay is a middle service: it answers Echo by calling the next service with its own context, as a
// handler calling a downstream does, and passes the next service's backward value back up.
type relay struct {
	*echotest.Handler
	next echoservice.Client
}

func (r *relay) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	down := metainfo.WithBackwardValues(ctx)
	resp, err := r.next.Echo(down, req)
	if err != nil {
		return nil, err
	}
	if v, ok := metainfo.RecvBackwardValue(down, "echoed"); ok {
		metainfo.SendBackwardValue(ctx, "relayed", v)
	}
	return resp, nil
}

// TestMetainfoAcrossTwoHops: client → A → B. A transient value reaches A only, a persistent one reaches
// B, and a backward value from B comes back to the client through A.
func TestMetainfoAcrossTwoHops(t *testing.T) {
	_, bAddr, _ := echotest.StartServer(t)
	next := echoservice.MustNewClient("echo", client.WithHostPorts(bAddr))
	defer next.Close()
	_, aAddr, _ := startRelay(t, next)
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(aAddr))
	defer cli.Close()

	ctx := metainfo.WithValue(testContext(t), "hop", "one")
	ctx = metainfo.WithPersistentValue(ctx, "trace", "all")
	ctx = metainfo.WithBackwardValues(ctx)
	resp, err := cli.Echo(ctx, &echo.Request{Message: "m", MetaKeys: []string{"hop", "trace"}})
	if err != nil {
		t.Fatal(err)
	}
	// resp.Meta is what B saw.
	if _, ok := resp.Meta["t.hop"]; ok {
		t.Fatalf("a transient value reached the second hop: %v", resp.Meta)
	}
	if resp.Meta["p.trace"] != "all" {
		t.Fatalf("the persistent value did not reach the second hop: %v", resp.Meta)
	}
	if v, _ := metainfo.RecvBackwardValue(ctx, "relayed"); v != "m" {
		t.Fatalf("backward value through the relay = %q", v)
	}
}

func startRelay(t *testing.T, next echoservice.Client) (*server.Server, string, *relay) {
	r := &relay{Handler: echotest.NewHandler(), next: next}
	svr, addr := echotest.StartHandler(t, r)
	return svr, addr, r
}

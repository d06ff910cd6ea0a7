package interop_test

import (
	"context"
	"testing"

	kmetainfo "github.com/bytedance/gopkg/cloud/metainfo"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb/echoservice"
	"github.com/ternhq/tern/framework/transport"
)

// relayHandler is a Tern handler whose Echo calls the next service with the same request, as a middle
// service does, and answers what it answers.
type relayHandler struct {
	ternPBHandler
	next echoservice.Client
}

func (h relayHandler) Echo(ctx context.Context, req *echopb.Request) (*echopb.Response, error) {
	return h.next.Echo(ctx, req)
}

// TestMetainfoTwoHopsKitexTernKitex: Kitex client → Tern server → Kitex server, each hop over Kitex
// Protobuf (TTHeader+Framed) or gRPC. Persistent metainfo reaches the last hop, transient metainfo only
// the first, as between Kitex services. A key that crossed a gRPC hop arrives upper-cased (Kitex's
// reading of rpc-persist-<key> headers) and keeps that spelling from then on.
func TestMetainfoTwoHopsKitexTernKitex(t *testing.T) {
	last := sharedKitexPBServer(t, "twohop")
	tests := []struct {
		first, second kitexpeer.PBVariant
		want          map[string]string // what the last handler reports for keys tenant, TENANT, trace, TRACE
	}{
		{kitexpeer.PBTTHeader, kitexpeer.PBTTHeader, map[string]string{"p.tenant": "p1"}},
		{kitexpeer.PBTTHeader, kitexpeer.PBGRPC, map[string]string{"p.TENANT": "p1"}},
		{kitexpeer.PBGRPC, kitexpeer.PBTTHeader, map[string]string{"p.TENANT": "p1"}},
		{kitexpeer.PBGRPC, kitexpeer.PBGRPC, map[string]string{"p.TENANT": "p1"}},
	}
	for _, tt := range tests {
		t.Run(tt.first.String()+"_then_"+tt.second.String(), func(t *testing.T) {
			proto := transport.TTHeaderFramed
			if tt.second == kitexpeer.PBGRPC {
				proto = transport.GRPC
			}
			next, err := echoservice.NewClient(kitexpeer.PBServiceName, client.WithHostPorts(last.Addr()),
				client.WithTransportProtocol(proto))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = next.Close() })
			middle := startTernPBServerWith(t, relayHandler{next: next})
			c := newKitexPBClient(t, middle, tt.first)
			ctx := kmetainfo.WithPersistentValue(kmetainfo.WithValue(testContext(t), "trace", "t1"), "tenant", "p1")
			resp, err := c.Echo(ctx, &echopb.Request{Message: "relayed", MetaKeys: []string{"tenant", "TENANT", "trace", "TRACE"}})
			if err != nil {
				t.Fatalf("Echo through Tern: %v", err)
			}
			meta := resp.GetMeta()
			delete(meta, "deadline")
			if resp.GetMessage() != "relayed" || !equalMaps(meta, tt.want) {
				t.Errorf("the last Kitex handler answered %q and saw metainfo %v, want %v", resp.GetMessage(), meta, tt.want)
			}
		})
	}
}

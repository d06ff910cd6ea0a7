package grpc_test

import (
	"context"
	"testing"

	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/transport/grpc"
)

func TestMetainfoInMetadata(t *testing.T) {
	ctx := context.Background()
	plain := metadata.New("x-trace", "1", "user-agent", "test")
	if allocs := testing.AllocsPerRun(100, func() { _ = grpc.WithIncomingMetainfo(ctx, plain) }); allocs != 0 {
		t.Errorf("metadata without metainfo: %.0f allocations, want 0", allocs)
	}
	if md := grpc.AppendOutgoingMetainfo(ctx, nil); md != nil {
		t.Errorf("outgoing metadata of a context without metainfo = %v, want nil", md)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = grpc.AppendOutgoingMetainfo(ctx, nil) }); allocs != 0 {
		t.Errorf("AppendOutgoingMetainfo without metainfo: %.0f allocations, want 0", allocs)
	}
	out := grpc.AppendOutgoingMetainfo(metainfo.WithValue(ctx, "K", "v"), nil)
	if out.Get("rpc-transit-k") != "v" {
		t.Errorf("outgoing metadata = %v, want rpc-transit-k: v", out)
	}
	withValues := metadata.New("rpc-transit-k", "t", "rpc-persist-p", "p")
	got := grpc.WithIncomingMetainfo(ctx, withValues)
	if v, ok := metainfo.GetValue(got, "K"); !ok || v != "t" {
		t.Errorf("transient K = %q, %v", v, ok)
	}
	if v, ok := metainfo.GetPersistentValue(got, "P"); !ok || v != "p" {
		t.Errorf("persistent P = %q, %v", v, ok)
	}
}

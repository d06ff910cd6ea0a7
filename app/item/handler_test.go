package main

import (
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/app/item/internal/catalog"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/base"
	"github.com/ternhq/tern/rpc_gen/item"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
	"google.golang.org/protobuf/proto"
)

// startItem serves ItemImpl on a seeded SQLite store behind the test Redis and returns a client
// speaking protocol p.
func startItem(t *testing.T, p transport.Protocol) itemservice.Client {
	t.Helper()
	ctx := platformtest.Context(t, 10*time.Second)
	store := catalog.NewStore(platformtest.SQLite(t))
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	rdb, prefix := platformtest.Redis(t)
	quiet := slog.New(slog.DiscardHandler)
	cat := catalog.NewCache(store, rdb, catalog.CacheConfig{Prefix: prefix}, quiet)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svr := itemservice.NewServer(&ItemImpl{cat: cat}, server.WithListener(ln), server.WithSignalHandling(false), server.WithLogger(quiet))
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	cli, err := itemservice.NewClient("item", client.WithHostPorts(ln.Addr().String()),
		client.WithTransportProtocol(p), client.WithRPCTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}

// The handler round-trips every method over gRPC (what cart speaks) and Kitex Protobuf on TTHeader, the
// cache is invalidated by updates, and errors keep their codes.
func TestHandlerOverTheWire(t *testing.T) {
	for _, p := range []transport.Protocol{transport.TTHeader, transport.GRPC} {
		t.Run(p.String(), func(t *testing.T) {
			ctx := platformtest.Context(t, 20*time.Second)
			cli := startItem(t, p)
			created, err := cli.CreateItem(ctx, &item.CreateItemReq{Title: "Teapot", Description: "Cast iron", PriceCents: 5500})
			if err != nil || created.GetItem().GetId() != int64(catalog.DemoSize+1) {
				t.Fatalf("CreateItem = %v, %v", created, err)
			}
			id := created.GetItem().GetId()
			if _, err := cli.GetItem(ctx, &item.GetItemReq{Id: id}); err != nil { // fills the cache
				t.Fatal(err)
			}
			up, err := cli.UpdateItem(ctx, &item.UpdateItemReq{Id: id, PriceCents: proto.Int64(4999)})
			if err != nil || up.GetItem().GetTitle() != "Teapot" || up.GetItem().GetPriceCents() != 4999 {
				t.Fatalf("UpdateItem = %v, %v", up, err)
			}
			got, err := cli.GetItem(ctx, &item.GetItemReq{Id: id})
			if err != nil || got.GetItem().GetPriceCents() != 4999 {
				t.Fatalf("GetItem after update = %v, %v", got, err)
			}
			list, err := cli.ListItems(ctx, &item.ListItemsReq{Page: &base.PageReq{Page: 1, PageSize: 5}, Query: "tea"})
			if err != nil || list.GetPage().GetTotal() != 2 || len(list.GetItems()) != 2 {
				t.Fatalf("ListItems = %v, %v; want the tea towel and the teapot", list, err)
			}
			batch, err := cli.BatchGetItems(ctx, &item.BatchGetItemsReq{Ids: []int64{id, 999}})
			if err != nil || len(batch.GetItems()) != 1 {
				t.Fatalf("BatchGetItems = %v, %v", batch, err)
			}
			if _, err := cli.GetItem(ctx, &item.GetItemReq{Id: 999}); rpcerr.CodeOf(err) != rpcerr.CodeNotFound {
				t.Fatalf("GetItem unknown = %v, want NotFound", err)
			}
			if _, err := cli.CreateItem(ctx, &item.CreateItemReq{PriceCents: -1}); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
				t.Fatalf("CreateItem invalid = %v, want InvalidArgument", err)
			}
		})
	}
}

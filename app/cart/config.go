package main

import (
	"context"

	"github.com/ternhq/tern/app/cart/internal/carts"
	"github.com/ternhq/tern/app/cart/internal/downstream"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

// Config is the cart service's configuration: the platform's keys, with clients.item and clients.stock.
type Config struct {
	platform.Config `yaml:",inline"`
}

// newService opens the store and the clients of the item service (gRPC) and the stock service (Kitex
// Protobuf over TTHeader), and returns the cart logic on them and a function closing the clients.
func newService(ctx context.Context, p *platform.Platform) (*carts.Service, func(), error) {
	db, err := p.DB(ctx)
	if err != nil {
		return nil, nil, err
	}
	store := carts.NewStore(db)
	if err := store.Migrate(ctx); err != nil {
		return nil, nil, err
	}
	dest, opts, err := p.ClientOptions("item", client.WithTransportProtocol(transport.GRPC))
	if err != nil {
		return nil, nil, err
	}
	items, err := itemservice.NewClient(dest, opts...)
	if err != nil {
		return nil, nil, err
	}
	if dest, opts, err = p.ClientOptions("stock", client.WithTransportProtocol(transport.TTHeader)); err != nil {
		items.Close()
		return nil, nil, err
	}
	stocks, err := stockservice.NewClient(dest, opts...)
	if err != nil {
		items.Close()
		return nil, nil, err
	}
	closeAll := func() { items.Close(); stocks.Close() }
	svc := carts.NewService(store, downstream.NewCatalog(items), downstream.NewInventory(stocks), p.Logger())
	return svc, closeAll, nil
}

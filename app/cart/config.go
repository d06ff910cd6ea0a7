package main

import (
	"context"
	"time"

	"github.com/ternhq/tern/app/cart/internal/carts"
	"github.com/ternhq/tern/app/cart/internal/downstream"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/framework/retry"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

// Config is the cart service's configuration: the platform's keys, with clients.item and clients.stock.
type Config struct {
	platform.Config `yaml:",inline"`
}

// newService opens the store and the downstream clients, and returns the cart logic on them and a
// function closing the clients.
func newService(ctx context.Context, p *platform.Platform) (*carts.Service, func(), error) {
	db, err := p.DB(ctx)
	if err != nil {
		return nil, nil, err
	}
	store := carts.NewStore(db)
	if err := store.Migrate(ctx); err != nil {
		return nil, nil, err
	}
	items, err := newItemClient(p)
	if err != nil {
		return nil, nil, err
	}
	stocks, err := newStockClient(p)
	if err != nil {
		items.Close()
		return nil, nil, err
	}
	closeAll := func() { items.Close(); stocks.Close() }
	return carts.NewService(store, downstream.NewCatalog(items), downstream.NewInventory(stocks), p.Logger()), closeAll, nil
}

// idempotentRetry retries calls that may have reached the server (for methods safe to run twice), no
// retry starting later than 2.5s after the first attempt, so that a checkout ends within the gateway's
// timeout.
func idempotentRetry() retry.Policy {
	p := retry.DefaultPolicy()
	p.Idempotent, p.MaxDuration = true, 2500*time.Millisecond
	return p
}

// newItemClient calls item over gRPC, with circuit breakers; its reads are retried.
func newItemClient(p *platform.Platform) (itemservice.Client, error) {
	dest, opts, err := p.ClientOptions("item", client.WithTransportProtocol(transport.GRPC),
		client.WithCircuitBreaker(nil), client.WithMethodRetry("BatchGetItems", idempotentRetry()))
	if err != nil {
		return nil, err
	}
	return itemservice.NewClient(dest, opts...)
}

// newStockClient calls stock over Kitex Protobuf on TTHeader, with circuit breakers; Deduct and Release
// are retried, being idempotent by order id.
func newStockClient(p *platform.Platform) (stockservice.Client, error) {
	dest, opts, err := p.ClientOptions("stock", client.WithTransportProtocol(transport.TTHeader),
		client.WithCircuitBreaker(nil), client.WithMethodRetry("Deduct", idempotentRetry()),
		client.WithMethodRetry("Release", idempotentRetry()))
	if err != nil {
		return nil, err
	}
	return stockservice.NewClient(dest, opts...)
}

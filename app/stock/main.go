// Command stock is the shop's stock service: item levels, and deductions per order that are atomic,
// idempotent by order id and never oversell, with release as their compensation. It serves the proto
// service stock.Stock (Kitex Protobuf over TTHeader, and gRPC, on one port).
//
// Configuration: conf/$TERN_ENV.yaml (default dev), every key overridable by TERN_<KEY> (see
// framework/platform).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/ternhq/tern/app/stock/internal/inventory"
	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/rpc_gen/stock/stockservice"
)

// serviceName is the name in the configuration files and the error messages.
const serviceName = "stock"

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, serviceName+":", err)
		os.Exit(1)
	}
}

// run wires the service and serves until SIGINT or SIGTERM, which stop it gracefully.
func run(ctx context.Context) error {
	var cfg Config
	if err := platform.Load(&cfg); err != nil {
		return err
	}
	p, err := platform.New(ctx, &cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	db, err := p.DB(ctx)
	if err != nil {
		return err
	}
	store := inventory.New(db)
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	if err := seedDemo(ctx, store, cfg.Demo, p.Logger()); err != nil {
		return err
	}
	opts, err := p.ServerOptions()
	if err != nil {
		return err
	}
	p.Logger().Info("serving", "addr", cfg.Server.Addr)
	return stockservice.NewServer(&StockImpl{store: store}, opts...).Run()
}

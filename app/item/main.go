// Command item is the shop's catalogue service: items created, updated, read and listed with paging and
// title search, stored with gorm, single-item reads cached in Redis (cache-aside, invalidated on
// update), and a demo catalogue seeded on a first start. It serves the proto service item.Item (gRPC, and
// Kitex Protobuf over TTHeader, on one port).
//
// Configuration: conf/$TERN_ENV.yaml (default dev), every key overridable by TERN_<KEY> (see
// framework/platform).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/rpc_gen/item/itemservice"
)

// serviceName is the name in the configuration files and the error messages.
const serviceName = "item"

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
	cat, err := openCatalogue(ctx, p, &cfg)
	if err != nil {
		return err
	}
	opts, err := p.ServerOptions()
	if err != nil {
		return err
	}
	p.Logger().Info("serving", "addr", cfg.Server.Addr)
	return itemservice.NewServer(&ItemImpl{cat: cat}, opts...).Run()
}

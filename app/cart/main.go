// Command cart is the shop's cart service: per-user carts stored with gorm and priced by the item
// service, and checkout, which deducts stock with the stock service all or nothing, then empties the
// cart and returns the order. It serves the Thrift service Cart (TTHeader, Framed or Buffered, on one
// port); it calls item over gRPC and stock over Kitex Protobuf (TTHeader).
//
// Configuration: conf/$TERN_ENV.yaml (default dev), every key overridable by TERN_<KEY> (see
// framework/platform).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/rpc_gen/cart/cartservice"
)

// serviceName is the name in the configuration files and the error messages.
const serviceName = "cart"

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
	svc, closeClients, err := newService(ctx, p)
	if err != nil {
		return err
	}
	defer closeClients()
	opts, err := p.ServerOptions()
	if err != nil {
		return err
	}
	p.Logger().Info("serving", "addr", cfg.Server.Addr)
	return cartservice.NewServer(&CartImpl{svc: svc}, opts...).Run()
}

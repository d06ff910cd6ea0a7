// Command gateway is the shop's HTTP entry point, on Hertz: a JSON API under /api/v1 (login with bcrypt
// passwords and signed, expiring bearer tokens; the catalogue with stock; the signed-in user's cart and
// checkout), /healthz and /readyz, an OpenAPI document and a small web page. It calls item over gRPC,
// stock over Kitex Protobuf and cart over Thrift, both on TTHeader.
//
// Configuration: conf/$TERN_ENV.yaml (default dev), every key overridable by TERN_<KEY> (see
// framework/platform), e.g. TERN_AUTH_SECRET.
package main

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/cloudwego/hertz/pkg/common/hlog"
	"github.com/ternhq/tern/app/gateway/internal/api"
	"github.com/ternhq/tern/framework/platform"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

// run wires the gateway and serves until SIGINT or SIGTERM, which stop it gracefully.
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
	hlog.SetLevel(hlog.LevelWarn) // Hertz's own chatter; requests are logged by the access log
	backend, closeClients, err := newBackend(p)
	if err != nil {
		return err
	}
	defer closeClients()
	deps, err := newDeps(&cfg, p, backend)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("server.addr: %w", err)
	}
	h := api.NewServer(deps, serverOptions(&cfg, ln)...)
	p.Logger().Info("serving", "addr", ln.Addr().String(), "users", deps.Users.Len())
	return serve(ctx, h, cfg.Server.ExitWait)
}

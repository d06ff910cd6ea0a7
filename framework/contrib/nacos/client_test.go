package nacos_test

import (
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/contrib/nacos"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
)

// TestNamingClientWithoutServer builds a real SDK client (its gRPC stack included) with no Nacos to
// talk to: construction works, calls fail as unavailable, promptly.
func TestNamingClientWithoutServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	must(t, ln.Close())

	dir := t.TempDir()
	cli, err := nacos.NewNamingClient(nacos.Config{Addr: "127.0.0.1", Port: uint64(port), Timeout: time.Second,
		LogDir: dir, CacheDir: dir})
	must(t, err)
	defer cli.CloseClient()

	start := time.Now()
	if _, err := nacos.NewResolver(cli).Resolve(testCtx(t), "echo"); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Errorf("Resolve without Nacos: %v", err)
	}
	if err := nacos.NewRegistry(cli).Register(testCtx(t), registry.Info{ServiceName: "echo", Address: "h:1"}); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Errorf("Register without Nacos: %v", err)
	}
	t.Logf("failed within %v", time.Since(start).Round(time.Millisecond))
}

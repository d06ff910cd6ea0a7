package main_test

import (
	"path/filepath"
	"testing"

	"github.com/ternhq/tern/framework/platform/platformtest"
)

// e2eSecret signs the tokens of the shop under test; the test mints tokens of its own with it.
const e2eSecret = "end-to-end-test-secret-0123456789"

// services are the shop's processes in start order.
var services = []string{"item", "stock", "cart", "gateway"}

// shopProcs is the shop running as four processes, as make run starts them, on free loopback ports.
type shopProcs struct {
	addr map[string]string
	dir  string
}

// startShop builds item, stock, cart and the gateway and starts them in their dev configuration
// (SQLite under a temporary directory, embedded Redis, direct addresses); they get SIGTERM when the
// test ends, and their logs are shown when it fails.
func startShop(t *testing.T) *shopProcs {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the four services")
	}
	s := &shopProcs{addr: map[string]string{}, dir: t.TempDir()}
	dirs := map[string]string{}
	for _, svc := range services {
		s.addr[svc] = platformtest.FreeAddr(t)
		dirs[svc] = serviceDir(svc)
	}
	platformtest.BuildServices(t, s.dir, dirs)
	for _, svc := range services {
		platformtest.StartService(t, s.dir, svc, serviceDir(svc), s.env(svc), s.addr[svc])
	}
	return s
}

// serviceDir is a service's directory relative to this one.
func serviceDir(svc string) string {
	if svc == "gateway" {
		return "."
	}
	return filepath.Join("..", svc)
}

// env is the environment of svc: its address and database, its peers' addresses, quiet logs, and for
// the gateway a known secret and a rate limit out of the way of the load test.
func (s *shopProcs) env(svc string) []string {
	return []string{"TERN_ENV=dev", "TERN_CONF_DIR=conf", "TERN_LOG_LEVEL=warn",
		"TERN_SERVER_ADDR=" + s.addr[svc], "TERN_DB_DSN=" + filepath.Join(s.dir, svc+".db"),
		"TERN_CLIENTS_ITEM_ADDRS=" + s.addr["item"], "TERN_CLIENTS_STOCK_ADDRS=" + s.addr["stock"],
		"TERN_CLIENTS_CART_ADDRS=" + s.addr["cart"],
		"TERN_AUTH_SECRET=" + e2eSecret, "TERN_RATE_LIMIT_RATE=100000", "TERN_RATE_LIMIT_BURST=100000"}
}

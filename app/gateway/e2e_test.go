package main_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
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
	for _, svc := range services {
		s.addr[svc] = freeAddr(t)
	}
	s.build(t)
	for _, svc := range services {
		s.start(t, svc)
	}
	return s
}

// build compiles the four binaries in parallel.
func (s *shopProcs) build(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(services))
	outs := make([][]byte, len(services))
	for i, svc := range services {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(s.dir, svc), ".")
			cmd.Dir = serviceDir(svc)
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("build %s: %v\n%s", services[i], err, outs[i])
		}
	}
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
	return append(os.Environ(), "TERN_ENV=dev", "TERN_CONF_DIR=conf", "TERN_LOG_LEVEL=warn",
		"TERN_SERVER_ADDR="+s.addr[svc], "TERN_DB_DSN="+filepath.Join(s.dir, svc+".db"),
		"TERN_CLIENTS_ITEM_ADDRS="+s.addr["item"], "TERN_CLIENTS_STOCK_ADDRS="+s.addr["stock"],
		"TERN_CLIENTS_CART_ADDRS="+s.addr["cart"],
		"TERN_AUTH_SECRET="+e2eSecret, "TERN_RATE_LIMIT_RATE=100000", "TERN_RATE_LIMIT_BURST=100000")
}

// start runs one service and waits until it listens.
func (s *shopProcs) start(t *testing.T, svc string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(s.dir, svc))
	cmd.Dir = serviceDir(svc)
	cmd.Env = s.env(svc)
	logFile, err := os.Create(filepath.Join(s.dir, svc+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logFile.Name())
			t.Logf("%s log:\n%s", svc, out)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", s.addr[svc]); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("%s does not listen on %s", svc, s.addr[svc])
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

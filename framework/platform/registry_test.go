package platform_test

import (
	"io"
	"net/url"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// startEtcd runs a single-member embedded etcd on loopback, stopped when the test ends, and returns its
// client endpoint.
func startEtcd(t *testing.T) string {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Name, cfg.Dir = "platform-test", t.TempDir()
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	local := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{local}, []url.URL{local}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{local}, []url.URL{local}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(); <-e.Server.StopNotify() })
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		t.Fatalf("etcd failed: %v", err)
	case <-time.After(30 * time.Second): // generous: CI machines are small and busy
		t.Fatal("etcd not ready within 30s")
	}
	return e.Clients[0].Addr().String()
}

// With registry kind etcd in the configuration, a server built from ServerOptions registers under the
// service's name and a client built from ClientOptions, without any address, finds it there.
func TestEtcdRegistryByConfiguration(t *testing.T) {
	ctx := platformtest.Context(t, time.Minute)
	endpoint := startEtcd(t)
	newPlatform := func(service string) *platform.Platform {
		cfg := testConfig()
		cfg.Service = service
		cfg.Registry = platform.RegistryConfig{Kind: platform.RegistryEtcd, Addrs: endpoint, Namespace: "/platform-test/"}
		cfg.Clients = map[string]platform.ClientConfig{"echo": {Service: "echo-server"}}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		p, err := platform.New(ctx, cfg, platform.WithLogOutput(io.Discard))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Close() })
		return p
	}
	startEcho(t, newPlatform("echo-server"))

	dest, copts, err := newPlatform("echo-client").ClientOptions("echo")
	if err != nil {
		t.Fatal(err)
	}
	cli := echoservice.MustNewClient(dest, copts...)
	defer cli.Close()
	resp, err := cli.Echo(ctx, &echo.Request{Message: "found through etcd"})
	if err != nil || resp.Message != "found through etcd" {
		t.Fatalf("Echo = %+v, %v", resp, err)
	}
}

// With registry kind nacos, New builds a naming client (the SDK connects lazily, so no server is needed
// here) and clients need no addresses: they resolve through Nacos.
func TestNacosRegistryByConfiguration(t *testing.T) {
	ctx := platformtest.Context(t, 30*time.Second)
	cfg := testConfig()
	cfg.Registry = platform.RegistryConfig{Kind: platform.RegistryNacos, Addrs: "127.0.0.1:1", Group: "tern-test"}
	cfg.Clients = map[string]platform.ClientConfig{"echo": {}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := platform.New(ctx, cfg, platform.WithLogOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dest, opts, err := p.ClientOptions("echo")
	if err != nil || dest != "echo" || len(opts) == 0 {
		t.Fatalf("ClientOptions = %q, %d options, %v", dest, len(opts), err)
	}
	if _, err := p.ServerOptions(); err != nil {
		t.Fatal(err)
	}
}

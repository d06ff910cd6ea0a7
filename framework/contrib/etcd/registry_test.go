package etcd_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/contrib/etcd"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	clientv3 "go.etcd.io/etcd/client/v3"
)

func addrs(r discovery.Result) []string {
	out := make([]string, len(r.Instances))
	for i, in := range r.Instances {
		out[i] = in.String()
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// resolveIs fails the test unless r resolves service to want (addresses with non-default weights).
func resolveIs(t *testing.T, r discovery.Resolver, service string, want ...string) discovery.Result {
	t.Helper()
	res, err := r.Resolve(testCtx(t), service)
	if err != nil {
		t.Fatalf("resolve %s: %v", service, err)
	}
	if got := addrs(res); !equal(got, want) || res.Service != service {
		t.Fatalf("resolve %s = %s %v, want %v", service, res.Service, got, want)
	}
	return res
}

func leaseCount(t *testing.T, cli *clientv3.Client) int {
	t.Helper()
	resp, err := cli.Leases(testCtx(t))
	must(t, err)
	return len(resp.Leases)
}

func TestRegisterResolve(t *testing.T) {
	t.Parallel()
	cli := newClient(t, startEtcd(t))
	ctx := testCtx(t)
	reg, res := etcd.NewRegistry(cli), etcd.NewResolver(cli)
	a := registry.Info{ServiceName: "echo", Address: "10.0.0.1:8888", Weight: 20, Tags: map[string]string{"zone": "a"}}
	b := registry.Info{ServiceName: "echo", Address: "10.0.0.2:8888"}
	c := registry.Info{ServiceName: "echo2", Address: "10.0.0.3:8888"}
	for _, info := range []registry.Info{b, a, c} {
		must(t, reg.Register(ctx, info))
	}

	first := resolveIs(t, res, "echo", "10.0.0.1:8888(20)", "10.0.0.2:8888")
	if first.Instances[0].Tags["zone"] != "a" || first.Instances[1].Tags != nil {
		t.Errorf("tags: %v", first.Instances)
	}
	if again := resolveIs(t, res, "echo", "10.0.0.1:8888(20)", "10.0.0.2:8888"); again.Version != first.Version || first.Version == 0 {
		t.Errorf("versions %d then %d, want the same non-zero", first.Version, again.Version)
	}
	resolveIs(t, res, "echo2", "10.0.0.3:8888")
	resolveIs(t, res, "nobody")

	// The documented key layout and value.
	kv, err := cli.Get(ctx, "/tern/services/echo/10.0.0.1:8888")
	must(t, err)
	if len(kv.Kvs) != 1 || kv.Kvs[0].Lease == 0 {
		t.Fatalf("key of a: %v", kv.Kvs)
	}
	var stored map[string]any
	must(t, json.Unmarshal(kv.Kvs[0].Value, &stored))
	if stored["address"] != "10.0.0.1:8888" || stored["weight"] != 20.0 || stored["tags"].(map[string]any)["zone"] != "a" {
		t.Errorf("stored value %s", kv.Kvs[0].Value)
	}
	modRev := kv.Kvs[0].ModRevision

	// Registering the same instance again changes nothing; another weight rewrites it under a new lease.
	must(t, reg.Register(ctx, a))
	if kv, _ := cli.Get(ctx, "/tern/services/echo/10.0.0.1:8888"); kv.Kvs[0].ModRevision != modRev {
		t.Error("an identical Register rewrote the key")
	}
	a.Weight = 30
	must(t, reg.Register(ctx, a))
	if got := resolveIs(t, res, "echo", "10.0.0.1:8888(30)", "10.0.0.2:8888"); got.Version == first.Version {
		t.Error("version unchanged after a weight change")
	}
	if n := leaseCount(t, cli); n != 3 {
		t.Errorf("%d leases after re-registering, want 3 (the old one revoked)", n)
	}

	must(t, reg.Deregister(ctx, a))
	resolveIs(t, res, "echo", "10.0.0.2:8888")
	if n := leaseCount(t, cli); n != 2 {
		t.Errorf("%d leases after Deregister, want 2", n)
	}
	must(t, reg.Deregister(ctx, a)) // not registered: not an error

	for _, bad := range []registry.Info{{Address: "x:1"}, {ServiceName: "echo"}, {ServiceName: "a/b", Address: "x:1"}} {
		if err := reg.Register(ctx, bad); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
			t.Errorf("Register(%+v) = %v, want invalid argument", bad, err)
		}
	}
}

func TestServerDeregistersOnStop(t *testing.T) {
	t.Parallel()
	cli := newClient(t, startEtcd(t))
	svr, addr, _ := echotest.StartServer(t, server.WithRegistry(etcd.NewRegistry(cli)))
	res := etcd.NewResolver(cli)
	resolveIs(t, res, "Echo", addr)

	c := echoservice.MustNewClient("Echo", client.WithResolver(res))
	defer c.Close()
	if resp, err := c.Echo(testCtx(t), &echo.Request{Message: "via etcd"}); err != nil || resp.Message != "via etcd" {
		t.Fatalf("call through etcd discovery: %v, %v", resp, err)
	}
	must(t, svr.Stop())
	resolveIs(t, res, "Echo")
	if n := leaseCount(t, cli); n != 0 {
		t.Errorf("%d leases after Stop, want 0", n)
	}
}

func TestDeadServerExpiresAfterTTL(t *testing.T) {
	t.Parallel()
	endpoint := startEtcd(t)
	cli, serverCli := newClient(t, endpoint), newClient(t, endpoint)
	res := etcd.NewResolver(cli)
	info := registry.Info{ServiceName: "echo", Address: "10.0.0.9:8888"}
	must(t, etcd.NewRegistry(serverCli, etcd.WithTTL(2*time.Second)).Register(testCtx(t), info))

	time.Sleep(2500 * time.Millisecond) // longer than the TTL: the keep-alive holds the key
	resolveIs(t, res, "echo", info.Address)

	must(t, serverCli.Close()) // the server dies: no Deregister, no more keep-alives
	died := time.Now()
	eventually(t, 8*time.Second, "expiry", func() bool {
		r, err := res.Resolve(testCtx(t), "echo")
		return err == nil && len(r.Instances) == 0
	})
	if d := time.Since(died); d < time.Second {
		t.Errorf("gone after %v, before its lease could expire", d)
	} else {
		t.Logf("gone %v after the server died", d.Round(100*time.Millisecond))
	}
}

func TestLostLeaseIsRenewed(t *testing.T) {
	t.Parallel()
	cli := newClient(t, startEtcd(t))
	ctx := testCtx(t)
	res := etcd.NewResolver(cli)
	info := registry.Info{ServiceName: "echo", Address: "10.0.0.1:8888"}
	must(t, etcd.NewRegistry(cli, etcd.WithTTL(2*time.Second)).Register(ctx, info))

	leases, err := cli.Leases(ctx)
	must(t, err)
	if len(leases.Leases) != 1 {
		t.Fatalf("leases: %v", leases.Leases)
	}
	_, err = cli.Revoke(ctx, leases.Leases[0].ID) // as if etcd had expired it during a partition
	must(t, err)
	resolveIs(t, res, "echo")
	eventually(t, 5*time.Second, "re-registration", func() bool {
		r, err := res.Resolve(ctx, "echo")
		return err == nil && len(r.Instances) == 1
	})
}

func TestWithPrefix(t *testing.T) {
	t.Parallel()
	cli := newClient(t, startEtcd(t))
	ctx := testCtx(t)
	must(t, etcd.NewRegistry(cli, etcd.WithPrefix("/shop")).Register(ctx, registry.Info{ServiceName: "cart", Address: "h:1"}))
	resolveIs(t, etcd.NewResolver(cli), "cart")
	resolveIs(t, etcd.NewResolver(cli, etcd.WithPrefix("/shop/")), "cart", "h:1")
	if kv, _ := cli.Get(ctx, "/shop/cart/h:1"); len(kv.Kvs) != 1 {
		t.Error("key not under the prefix")
	}
}

package etcd_test

import (
	"context"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/contrib/etcd"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
)

// watchResults starts a watch whose results arrive on the returned channel.
func watchResults(t *testing.T, ctx context.Context, r discovery.Resolver, service string) (<-chan discovery.Result, func()) {
	t.Helper()
	ch := make(chan discovery.Result, 100)
	stop, err := r.(discovery.Watcher).Watch(ctx, service, func(res discovery.Result) { ch <- res })
	must(t, err)
	t.Cleanup(stop)
	return ch, stop
}

// expect waits for the next result and checks its addresses.
func expect(t *testing.T, ch <-chan discovery.Result, want ...string) discovery.Result {
	t.Helper()
	select {
	case res := <-ch:
		if got := addrs(res); !equal(got, want) {
			t.Fatalf("watch delivered %v, want %v", got, want)
		}
		return res
	case <-time.After(5 * time.Second):
		t.Fatalf("watch delivered nothing, want %v", want)
		return discovery.Result{}
	}
}

func expectNothing(t *testing.T, ch <-chan discovery.Result) {
	t.Helper()
	select {
	case res := <-ch:
		t.Fatalf("unexpected delivery %v", addrs(res))
	case <-time.After(300 * time.Millisecond):
	}
}

func TestWatchSeesAddAndRemove(t *testing.T) {
	t.Parallel()
	cli := newClient(t, startEtcd(t))
	ctx := testCtx(t)
	reg, res := etcd.NewRegistry(cli), etcd.NewResolver(cli)
	a := registry.Info{ServiceName: "echo", Address: "10.0.0.1:8888", Weight: 5}
	b := registry.Info{ServiceName: "echo", Address: "10.0.0.2:8888", Tags: map[string]string{"v": "2"}}
	must(t, reg.Register(ctx, a))

	ch, stop := watchResults(t, ctx, res, "echo")
	first := expect(t, ch, "10.0.0.1:8888(5)")
	must(t, reg.Register(ctx, b))
	added := expect(t, ch, "10.0.0.1:8888(5)", "10.0.0.2:8888")
	if added.Instances[1].Tags["v"] != "2" || added.Version == first.Version {
		t.Errorf("after add: %+v", added)
	}
	must(t, reg.Register(ctx, registry.Info{ServiceName: "echo-other", Address: "x:1"}))
	must(t, reg.Register(ctx, b)) // no change
	expectNothing(t, ch)
	must(t, reg.Deregister(ctx, a))
	expect(t, ch, "10.0.0.2:8888")
	must(t, reg.Deregister(ctx, b))
	expect(t, ch)

	stop()
	must(t, reg.Register(ctx, a))
	expectNothing(t, ch)
	stop() // idempotent
}

func TestWatchEndsWithContext(t *testing.T) {
	t.Parallel()
	cli := newClient(t, startEtcd(t))
	reg, res := etcd.NewRegistry(cli), etcd.NewResolver(cli)
	ctx, cancel := context.WithCancel(testCtx(t))
	ch, _ := watchResults(t, ctx, res, "echo")
	expect(t, ch)
	cancel()
	time.Sleep(100 * time.Millisecond)
	must(t, reg.Register(testCtx(t), registry.Info{ServiceName: "echo", Address: "h:1"}))
	expectNothing(t, ch)
}

func TestCacheFollowsWatch(t *testing.T) {
	t.Parallel()
	cli := newClient(t, startEtcd(t))
	ctx := testCtx(t)
	reg := etcd.NewRegistry(cli)
	cache := discovery.NewCache(etcd.NewResolver(cli), discovery.CacheConfig{RefreshInterval: time.Hour})
	defer cache.Close()
	if res, err := cache.Get(ctx, "echo"); err != nil || len(res.Instances) != 0 {
		t.Fatalf("first Get: %v, %v", res, err)
	}
	must(t, reg.Register(ctx, registry.Info{ServiceName: "echo", Address: "h:1"}))
	eventually(t, 5*time.Second, "cache update", func() bool {
		res, err := cache.Get(ctx, "echo")
		return err == nil && len(res.Instances) == 1
	})
}

func TestResolveSkipsForeignValues(t *testing.T) {
	t.Parallel()
	cli := newClient(t, startEtcd(t))
	ctx := testCtx(t)
	for k, v := range map[string]string{
		"/tern/services/echo/h:1": "not json",
		"/tern/services/echo/h:2": `{"weight":3}`, // the address comes from the key
		"/tern/services/echo/h:3": `{"address":"h:3"}`,
	} {
		_, err := cli.Put(ctx, k, v)
		must(t, err)
	}
	resolveIs(t, etcd.NewResolver(cli), "echo", "h:2(3)", "h:3")
}

func TestResolveFailsWithClosedClient(t *testing.T) {
	t.Parallel()
	cli := newClient(t, startEtcd(t))
	res := etcd.NewResolver(cli)
	must(t, cli.Close())
	if _, err := res.Resolve(testCtx(t), "echo"); rpcerr.CodeOf(err) != rpcerr.CodeFailedPrecondition {
		t.Errorf("Resolve through a closed client: %v", err)
	}
	if _, err := res.(discovery.Watcher).Watch(testCtx(t), "echo", func(discovery.Result) {}); rpcerr.CodeOf(err) != rpcerr.CodeFailedPrecondition {
		t.Errorf("Watch through a closed client: %v", err)
	}
	reg := etcd.NewRegistry(cli)
	if err := reg.Register(testCtx(t), registry.Info{ServiceName: "echo", Address: "h:1"}); rpcerr.CodeOf(err) != rpcerr.CodeFailedPrecondition {
		t.Errorf("Register through a closed client: %v", err)
	}
	if res.Name() != "etcd" {
		t.Errorf("Name() = %q", res.Name())
	}
}

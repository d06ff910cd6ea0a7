package nacos_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	kregistry "github.com/cloudwego/kitex/pkg/registry"
	"github.com/cloudwego/kitex/pkg/utils"
	nacosregistry "github.com/kitex-contrib/registry-nacos/v2/registry"
	"github.com/ternhq/tern/framework/contrib/nacos"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
)

func watch(t *testing.T, ctx context.Context, r discovery.Resolver, service string) (<-chan discovery.Result, func()) {
	t.Helper()
	ch := make(chan discovery.Result, 100)
	stop, err := r.(discovery.Watcher).Watch(ctx, service, func(res discovery.Result) { ch <- res })
	must(t, err)
	t.Cleanup(stop)
	return ch, stop
}

func expect(t *testing.T, ch <-chan discovery.Result, want ...string) discovery.Result {
	t.Helper()
	select {
	case res := <-ch:
		if got := ternResult(res); !slices.Equal(got, want) {
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
		t.Fatalf("unexpected delivery %v", ternResult(res))
	case <-time.After(200 * time.Millisecond):
	}
}

func TestWatchSeesTernAndKitexChanges(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	ctx := testCtx(t)
	reg, kreg := nacos.NewRegistry(fake), nacosregistry.NewNacosRegistry(fake)
	ch, stop := watch(t, ctx, nacos.NewResolver(fake), "echo")
	expect(t, ch)

	tern := registry.Info{ServiceName: "echo", Address: "10.0.0.1:8888", Weight: 5}
	must(t, reg.Register(ctx, tern))
	expect(t, ch, "10.0.0.1:8888(5)")
	kitex := &kregistry.Info{ServiceName: "echo", Addr: utils.NewNetAddr("tcp", "10.0.0.2:8888"), Weight: 10}
	must(t, kreg.Register(kitex))
	expect(t, ch, "10.0.0.1:8888(5)", "10.0.0.2:8888")
	must(t, reg.Register(ctx, tern)) // same again: Nacos notifies, nothing changed
	must(t, reg.Register(ctx, registry.Info{ServiceName: "other", Address: "h:1"}))
	expectNothing(t, ch)
	must(t, kreg.Deregister(kitex))
	expect(t, ch, "10.0.0.1:8888(5)")
	must(t, reg.Deregister(ctx, tern))
	expect(t, ch)

	stop()
	must(t, reg.Register(ctx, tern))
	expectNothing(t, ch)
	stop()
}

func TestWatchersShareOneSubscription(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	ctx := testCtx(t)
	res := nacos.NewResolver(fake)
	ch1, stop1 := watch(t, ctx, res, "echo")
	ch2, _ := watch(t, ctx, res, "echo")
	expect(t, ch1)
	expect(t, ch2)
	if n := fake.subscribers("", "echo"); n != 1 {
		t.Errorf("%d Nacos subscriptions for two watchers, want 1", n)
	}
	stop1()
	// The subscription stays (the SDK's Unsubscribe would stop pushes for every user of the client).
	if n := fake.subscribers("", "echo"); n != 1 {
		t.Errorf("%d Nacos subscriptions after one watcher stopped, want 1", n)
	}
	must(t, nacos.NewRegistry(fake).Register(ctx, registry.Info{ServiceName: "echo", Address: "h:1"}))
	expect(t, ch2, "h:1")
	expectNothing(t, ch1)
}

func TestWatchEndsWithContext(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	ch, _ := watch(t, ctx, nacos.NewResolver(fake), "echo")
	expect(t, ch)
	cancel()
	time.Sleep(100 * time.Millisecond) // stop runs on a goroutine of its own
	must(t, nacos.NewRegistry(fake).Register(testCtx(t), registry.Info{ServiceName: "echo", Address: "h:1"}))
	expectNothing(t, ch)
}

func TestWatchConcurrentNotifications(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	ctx := testCtx(t)
	var mu sync.Mutex
	var last discovery.Result
	calls, inCall := 0, false
	stop, err := nacos.NewResolver(fake).(discovery.Watcher).Watch(ctx, "echo", func(res discovery.Result) {
		mu.Lock()
		if inCall {
			t.Error("onChange called concurrently")
		}
		inCall, calls, last = true, calls+1, res
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		inCall = false
		mu.Unlock()
	})
	must(t, err)
	defer stop()

	const n = 50
	var wg sync.WaitGroup
	reg := nacos.NewRegistry(fake)
	for i := range n {
		wg.Go(func() {
			if err := reg.Register(ctx, registry.Info{ServiceName: "echo", Address: fmt.Sprintf("10.0.0.%d:1", i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		got := len(last.Instances)
		mu.Unlock()
		if got == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watch settled on %d instances, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("%d registrations, %d deliveries", n, calls)
}

func TestWatchFailsWhenNacosIsDown(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.setDown(true)
	res := nacos.NewResolver(fake)
	_, err := res.(discovery.Watcher).Watch(testCtx(t), "echo", func(discovery.Result) {})
	if rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Errorf("Watch with Nacos down: %v", err)
	}
	if n := fake.subscribers("", "echo"); n != 0 {
		t.Errorf("a failed Watch left %d subscriptions", n)
	}
	fake.setDown(false)
	ch, _ := watch(t, testCtx(t), res, "echo") // the next Watch subscribes again
	expect(t, ch)
}

// resolverOnly hides the Watcher, so a Cache has to poll.
type resolverOnly struct{ discovery.Resolver }

func TestCacheSeesChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		r    func(*fakeNaming) discovery.Resolver
		cfg  discovery.CacheConfig
	}{
		{"subscription", func(f *fakeNaming) discovery.Resolver { return nacos.NewResolver(f) }, discovery.CacheConfig{RefreshInterval: time.Hour}},
		{"refresh", func(f *fakeNaming) discovery.Resolver { return resolverOnly{nacos.NewResolver(f)} }, discovery.CacheConfig{RefreshInterval: 20 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(t)
			ctx := testCtx(t)
			cache := discovery.NewCache(tc.r(fake), tc.cfg)
			defer cache.Close()
			count := func() int {
				res, err := cache.Get(ctx, "echo")
				must(t, err)
				return len(res.Instances)
			}
			if n := count(); n != 0 {
				t.Fatalf("%d instances at first", n)
			}
			info := registry.Info{ServiceName: "echo", Address: "h:1"}
			must(t, nacos.NewRegistry(fake).Register(ctx, info))
			waitFor(t, func() bool { return count() == 1 })
			must(t, nacos.NewRegistry(fake).Deregister(ctx, info))
			waitFor(t, func() bool { return count() == 0 })
		})
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

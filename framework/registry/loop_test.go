package registry_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/loadbalance"
	"github.com/ternhq/tern/framework/registry"
)

// TestWholeLoop runs discovery end to end: servers register in a Memory registry, a client resolves
// through a Cache that follows the registry's watch, and a balancer spreads calls over what it sees.
func TestWholeLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testCtx(t)
		reg := registry.NewMemory()
		server := func(i int) registry.Info {
			return registry.Info{ServiceName: "echo", Address: fmt.Sprintf("10.0.0.%d:8888", i)}
		}
		must(t, reg.Register(ctx, server(1)))
		must(t, reg.Register(ctx, server(2)))

		// RefreshInterval is an hour: every change below arrives through Watch.
		cache := discovery.NewCache(reg, discovery.CacheConfig{RefreshInterval: time.Hour})
		defer cache.Close()
		lb := loadbalance.NewWeightedRoundRobin()
		spread := func() map[string]int {
			t.Helper()
			synctest.Wait() // let the watch deliver
			got := map[string]int{}
			for range 60 {
				res, err := cache.Get(ctx, "echo")
				must(t, err)
				in, ok := lb.GetPicker(res).Next(ctx, nil)
				if !ok {
					t.Fatal("no instance")
				}
				got[in.Address]++
			}
			return got
		}

		if got := spread(); got[server(1).Address] != 30 || got[server(2).Address] != 30 {
			t.Errorf("two servers: %v", got)
		}
		must(t, reg.Register(ctx, server(3)))
		if got := spread(); got[server(3).Address] != 20 {
			t.Errorf("after server 3 registered: %v", got)
		}
		must(t, reg.Deregister(ctx, server(1)))
		if got := spread(); got[server(1).Address] != 0 || got[server(2).Address] != 30 {
			t.Errorf("after server 1 left: %v", got)
		}
		must(t, reg.Deregister(ctx, server(2)))
		must(t, reg.Deregister(ctx, server(3)))
		synctest.Wait()
		res, err := cache.Get(ctx, "echo")
		must(t, err)
		if _, ok := lb.GetPicker(res).Next(ctx, nil); ok {
			t.Error("picked an instance after all servers left")
		}
	})
}

// ExampleMemory shows a server registering and a client finding it.
func ExampleMemory() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	reg := registry.NewMemory()
	_ = reg.Register(ctx, registry.Info{ServiceName: "echo", Address: "10.0.0.1:8888", Weight: 20})

	var resolver discovery.Resolver = reg // the same object serves clients
	res, _ := resolver.Resolve(ctx, "echo")
	fmt.Println(res.Instances)
	// Output: [10.0.0.1:8888(20)]
}

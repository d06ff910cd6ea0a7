package discovery_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ternhq/tern/framework/discovery"
)

func ExampleNewStatic() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r := discovery.NewStatic("10.0.0.1:8888", "10.0.0.2:8888")
	res, _ := r.Resolve(ctx, "echo")
	fmt.Println(res.Service, res.Instances)
	// Output: echo [10.0.0.1:8888 10.0.0.2:8888]
}

func ExampleCache() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cache := discovery.NewCache(discovery.NewStatic("10.0.0.1:8888"), discovery.DefaultCacheConfig())
	defer cache.Close()

	first, err := cache.Get(ctx, "echo") // resolves now
	if err != nil {
		fmt.Println(err)
		return
	}
	again, _ := cache.Get(ctx, "echo") // from memory
	fmt.Println(first.Instances, again.Version == first.Version, cache.Stats().Resolves)
	// Output: [10.0.0.1:8888] true 1
}

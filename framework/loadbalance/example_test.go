package loadbalance_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/loadbalance"
)

func ExampleNewWeightedRoundRobin() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	res := discovery.Result{
		Service: "echo",
		Instances: []discovery.Instance{
			{Address: "10.0.0.1:8888", Weight: 10},
			{Address: "10.0.0.2:8888", Weight: 30},
		},
		Version: discovery.NewVersion(),
	}
	lb := loadbalance.NewWeightedRoundRobin()
	count := map[string]int{}
	for range 8 {
		in, _ := lb.GetPicker(res).Next(ctx, nil) // GetPicker is cached per Version
		count[in.Address]++
	}
	fmt.Println(count)
	// Output: map[10.0.0.1:8888:2 10.0.0.2:8888:6]
}

func ExampleWithHashKey() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	res := discovery.Result{Service: "cart", Version: discovery.NewVersion()}
	for i := range 5 {
		res.Instances = append(res.Instances, discovery.Instance{Address: fmt.Sprintf("10.0.0.%d:8888", i)})
	}
	picker := loadbalance.NewConsistentHash(loadbalance.DefaultConsistentHashConfig()).GetPicker(res)

	userCtx := loadbalance.WithHashKey(ctx, "user-42") // all of user 42's calls go to one instance
	first, _ := picker.Next(userCtx, nil)
	second, _ := picker.Next(userCtx, nil)
	fmt.Println(first.Address == second.Address)
	// Output: true
}

func ExampleTracker() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	lb := loadbalance.NewP2C()
	res := discovery.Result{
		Service:   "echo",
		Instances: []discovery.Instance{{Address: "10.0.0.1:8888"}, {Address: "10.0.0.2:8888"}},
		Version:   discovery.NewVersion(),
	}
	tracker, _ := lb.(loadbalance.Tracker) // the client looks for the capability once
	for range 3 {
		in, _ := lb.GetPicker(res).Next(ctx, nil)
		tracker.Start(in.Address)
		var err error // ... the call to in.Address ...
		tracker.Done(in.Address, err)
	}
	tracker.Start("10.0.0.1:8888") // a call that never finishes: 10.0.0.1 now looks busy
	in, _ := lb.GetPicker(res).Next(ctx, nil)
	fmt.Println(in.Address)
	// Output: 10.0.0.2:8888
}

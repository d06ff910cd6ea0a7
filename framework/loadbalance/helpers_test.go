package loadbalance_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/loadbalance"
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func addr(i int) string { return fmt.Sprintf("10.0.0.%d:8888", i) }

// result returns a new version of service "echo" with one instance per weight, at addr(0), addr(1)...
func result(weights ...int) discovery.Result {
	instances := make([]discovery.Instance, len(weights))
	for i, w := range weights {
		instances[i] = discovery.Instance{Address: addr(i), Weight: w}
	}
	return discovery.Result{Service: "echo", Instances: instances, Version: discovery.NewVersion()}
}

// withAddrs returns a new version of "echo" with instances of default weight at the given addresses.
func withAddrs(addrs ...string) discovery.Result {
	instances := make([]discovery.Instance, len(addrs))
	for i, a := range addrs {
		instances[i] = discovery.Instance{Address: a}
	}
	return discovery.Result{Service: "echo", Instances: instances, Version: discovery.NewVersion()}
}

// balancers returns one of each balancer; consistent hash without a key falls back to weighted random.
func balancers() map[string]loadbalance.Loadbalancer {
	return map[string]loadbalance.Loadbalancer{
		"wrr":    loadbalance.NewWeightedRoundRobin(),
		"random": loadbalance.NewWeightedRandom(),
		"hash":   loadbalance.NewConsistentHash(loadbalance.DefaultConsistentHashConfig()),
		"p2c":    loadbalance.NewP2C(),
	}
}

// counts picks n times and counts picks per address, tracking each call if lb is a Tracker.
func counts(ctx context.Context, t testing.TB, lb loadbalance.Loadbalancer, r discovery.Result, n int) map[string]int {
	t.Helper()
	tracker, _ := lb.(loadbalance.Tracker)
	got := map[string]int{}
	for range n {
		in, ok := lb.GetPicker(r).Next(ctx, nil)
		if !ok {
			t.Fatal("Next found no instance")
		}
		if tracker != nil {
			tracker.Start(in.Address)
			tracker.Done(in.Address, nil)
		}
		got[in.Address]++
	}
	return got
}

// checkShares fails unless each instance of r got its weight's share of total picks within tol
// (absolute).
func checkShares(t *testing.T, r discovery.Result, got map[string]int, total int, tol float64) {
	t.Helper()
	sum := 0
	for _, in := range r.Instances {
		sum += in.EffectiveWeight()
	}
	for _, in := range r.Instances {
		want := float64(in.EffectiveWeight()) / float64(sum)
		share := float64(got[in.Address]) / float64(total)
		if math.Abs(share-want) > tol {
			t.Errorf("%s got %.2f%% of picks, want %.2f%% ± %.1f%%", in.Address, 100*share, 100*want, 100*tol)
		}
	}
}

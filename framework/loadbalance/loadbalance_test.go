package loadbalance_test

import (
	"sync"
	"testing"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/loadbalance"
)

func TestNames(t *testing.T) {
	want := map[string]string{"wrr": "weighted_round_robin", "random": "weighted_random", "hash": "consistent_hash", "p2c": "p2c"}
	for name, lb := range balancers() {
		if lb.Name() != want[name] {
			t.Errorf("%s: Name() = %q, want %q", name, lb.Name(), want[name])
		}
	}
}

func TestDistributionFollowsWeights(t *testing.T) {
	const picks = 100_000
	for name, lb := range balancers() {
		t.Run(name, func(t *testing.T) {
			r := result(10, 20, 70)
			checkShares(t, r, counts(testCtx(t), t, lb, r, picks), picks, 0.02)
		})
	}
}

func TestEmptyResult(t *testing.T) {
	for name, lb := range balancers() {
		t.Run(name, func(t *testing.T) {
			for _, r := range []discovery.Result{{}, {Service: "echo", Version: discovery.NewVersion()}} {
				if in, ok := lb.GetPicker(r).Next(testCtx(t), nil); ok {
					t.Errorf("Next on %+v = %v, true; want false", r, in)
				}
			}
		})
	}
}

func TestSingleInstance(t *testing.T) {
	for name, lb := range balancers() {
		t.Run(name, func(t *testing.T) {
			ctx := loadbalance.WithHashKey(testCtx(t), "k")
			r := result(0)
			for range 10 {
				if in, ok := lb.GetPicker(r).Next(ctx, nil); !ok || in.Address != addr(0) {
					t.Fatalf("Next = %v, %v", in, ok)
				}
			}
		})
	}
}

func TestGetPickerCachesPerVersion(t *testing.T) {
	for name, lb := range balancers() {
		t.Run(name, func(t *testing.T) {
			r1 := result(10, 20)
			p1 := lb.GetPicker(r1)
			if lb.GetPicker(r1) != p1 {
				t.Error("same Service and Version: picker rebuilt")
			}
			other := r1
			other.Service = "other"
			if lb.GetPicker(other) == p1 {
				t.Error("another service got the same picker")
			}
			if lb.GetPicker(r1) != p1 {
				t.Error("a picker of another service evicted this one")
			}
			if lb.GetPicker(result(10, 20)) == p1 {
				t.Error("new Version: picker not rebuilt")
			}
			if allocs := testing.AllocsPerRun(100, func() { lb.GetPicker(r1) }); allocs != 0 {
				t.Errorf("GetPicker of a cached picker allocates %.1f times", allocs)
			}
			unversioned := r1
			unversioned.Version = 0
			if lb.GetPicker(unversioned) == lb.GetPicker(unversioned) {
				t.Error("Version 0: picker cached")
			}
		})
	}
}

// TestRebalance checks that a new Result version sends traffic to an added instance and none to a
// removed one.
func TestRebalance(t *testing.T) {
	for name, lb := range balancers() {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			a, b, c := addr(1), addr(2), addr(3)
			steps := []struct {
				r        discovery.Result
				want     []string
				excluded string
			}{
				{withAddrs(a, b), []string{a, b}, c},
				{withAddrs(a, b, c), []string{a, b, c}, ""},
				{withAddrs(a, c), []string{a, c}, b},
			}
			for i, st := range steps {
				got := counts(ctx, t, lb, st.r, 3000)
				for _, w := range st.want {
					if got[w] < 500 {
						t.Errorf("step %d: %s got %d of 3000 picks", i, w, got[w])
					}
				}
				if got[st.excluded] != 0 {
					t.Errorf("step %d: %s is not listed but got %d picks", i, st.excluded, got[st.excluded])
				}
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	for name, lb := range balancers() {
		t.Run(name, func(t *testing.T) {
			ctx := loadbalance.WithHashKey(testCtx(t), "key")
			tracker, _ := lb.(loadbalance.Tracker)
			var current sync.Map // "r" → discovery.Result
			current.Store("r", result(10, 20, 30))
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for range 2000 {
						r, _ := current.Load("r")
						in, ok := lb.GetPicker(r.(discovery.Result)).Next(ctx, nil)
						if !ok {
							t.Error("Next found no instance")
							return
						}
						if tracker != nil {
							tracker.Start(in.Address)
							tracker.Done(in.Address, nil)
						}
					}
				})
			}
			wg.Go(func() {
				for i := range 100 {
					current.Store("r", result(10, 20+i, 5))
				}
			})
			wg.Wait()
		})
	}
}

func TestNextDoesNotAllocate(t *testing.T) {
	manyWeights := make([]int, 300) // unequal weights with a long cycle: WRR's locked mode
	for i := range manyWeights {
		manyWeights[i] = 100 + i
	}
	tests := []struct {
		name string
		lb   loadbalance.Loadbalancer
		r    discovery.Result
	}{
		{"wrr equal", loadbalance.NewWeightedRoundRobin(), result(10, 10, 10)},
		{"wrr weighted", loadbalance.NewWeightedRoundRobin(), result(10, 20, 70)},
		{"wrr locked", loadbalance.NewWeightedRoundRobin(), result(manyWeights...)},
		{"random equal", loadbalance.NewWeightedRandom(), result(10, 10, 10)},
		{"random weighted", loadbalance.NewWeightedRandom(), result(10, 20, 70)},
		{"hash", loadbalance.NewConsistentHash(loadbalance.ConsistentHashConfig{}), result(10, 20, 70)},
		{"p2c", loadbalance.NewP2C(), result(10, 20, 70)},
	}
	ctx := loadbalance.WithHashKey(testCtx(t), "user-42")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.lb.GetPicker(tt.r)
			allocs := testing.AllocsPerRun(1000, func() {
				if _, ok := p.Next(ctx, nil); !ok {
					t.Fatal("Next found no instance")
				}
			})
			if allocs != 0 {
				t.Errorf("Next allocates %.1f times", allocs)
			}
		})
	}
}

// TestHugeWeights checks that weights near the int32 limit neither overflow nor blow up memory.
func TestHugeWeights(t *testing.T) {
	for name, lb := range balancers() {
		if name == "hash" {
			continue // its ring size cap is tested inside the package
		}
		t.Run(name, func(t *testing.T) {
			r := result(1<<30, 1<<30, 2<<30)
			checkShares(t, r, counts(testCtx(t), t, lb, r, 40_000), 40_000, 0.02)
		})
	}
}

package loadbalance_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/loadbalance"
)

const hashKeys = 10_000

// owners maps each of hashKeys keys to the address picked for it.
func owners(t *testing.T, lb loadbalance.Loadbalancer, r discovery.Result) []string {
	t.Helper()
	ctx := testCtx(t)
	p := lb.GetPicker(r)
	out := make([]string, hashKeys)
	for k := range out {
		in, ok := p.Next(loadbalance.WithHashKey(ctx, fmt.Sprint("user-", k)), nil)
		if !ok {
			t.Fatal("Next found no instance")
		}
		out[k] = in.Address
	}
	return out
}

func newHash() loadbalance.Loadbalancer {
	return loadbalance.NewConsistentHash(loadbalance.DefaultConsistentHashConfig())
}

func addrRange(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, addr(i))
	}
	return out
}

func TestHashKeyContext(t *testing.T) {
	ctx := testCtx(t)
	if _, ok := loadbalance.HashKeyFromContext(ctx); ok {
		t.Error("key found in a context without one")
	}
	if k, ok := loadbalance.HashKeyFromContext(loadbalance.WithHashKey(ctx, "u1")); !ok || k != "u1" {
		t.Errorf("HashKeyFromContext = %q, %v", k, ok)
	}
}

// TestHashSameKeySameInstance checks stability: repeated picks, a rebuilt picker, another balancer
// and another order of the same instances all map every key the same way.
func TestHashSameKeySameInstance(t *testing.T) {
	addrs := addrRange(0, 10)
	want := owners(t, newHash(), withAddrs(addrs...))
	if got := owners(t, newHash(), withAddrs(addrs...)); !slices.Equal(got, want) {
		t.Error("another balancer maps keys differently")
	}
	slices.Reverse(addrs)
	if got := owners(t, newHash(), withAddrs(addrs...)); !slices.Equal(got, want) {
		t.Error("the order of instances changes the mapping")
	}
	used := map[string]int{}
	for _, a := range want {
		used[a]++
	}
	if len(used) != 10 {
		t.Errorf("keys reached %d of 10 instances", len(used))
	}
}

func TestHashAddInstanceMovesFewKeys(t *testing.T) {
	const n = 10
	lb := newHash()
	before := owners(t, lb, withAddrs(addrRange(0, n)...))
	after := owners(t, lb, withAddrs(addrRange(0, n+1)...))
	moved := 0
	for k := range before {
		if before[k] != after[k] {
			moved++
			if after[k] != addr(n) {
				t.Fatalf("key %d moved from %s to %s, not to the new instance", k, before[k], after[k])
			}
		}
	}
	limit := 1.5 * hashKeys / (n + 1)
	t.Logf("adding 1 instance to %d moved %d of %d keys (ideal %.0f, limit %.0f)", n, moved, hashKeys, float64(hashKeys)/(n+1), limit)
	if moved == 0 || float64(moved) > limit {
		t.Errorf("%d keys moved, want between 1 and %.0f", moved, limit)
	}
}

func TestHashRemoveInstanceMovesOnlyItsKeys(t *testing.T) {
	lb := newHash()
	before := owners(t, lb, withAddrs(addrRange(0, 10)...))
	removed := addr(4)
	after := owners(t, lb, withAddrs(slices.DeleteFunc(addrRange(0, 10), func(a string) bool { return a == removed })...))
	for k := range before {
		if before[k] != removed && after[k] != before[k] {
			t.Fatalf("key %d moved from %s to %s though %s is still there", k, before[k], after[k], before[k])
		}
		if after[k] == removed {
			t.Fatalf("key %d still maps to removed %s", k, removed)
		}
	}
}

func TestHashWeights(t *testing.T) {
	r := result(10, 10, 40)
	got := map[string]int{}
	for _, a := range owners(t, newHash(), r) {
		got[a]++
	}
	// Expected shares 1/6, 1/6, 2/3; ring sampling is coarse, so allow ±8%.
	checkShares(t, r, got, hashKeys, 0.08)
}

func TestHashKeyFunc(t *testing.T) {
	type request struct{ UserID string }
	lb := loadbalance.NewConsistentHash(loadbalance.ConsistentHashConfig{
		KeyFunc: func(_ context.Context, req any) (string, bool) {
			r, ok := req.(*request)
			return r.UserID, ok && r.UserID != ""
		},
		VirtualNodes: 50,
	})
	ctx := testCtx(t)
	p := lb.GetPicker(withAddrs(addrRange(0, 5)...))
	for u := range 100 {
		req := &request{UserID: fmt.Sprint("u", u)}
		first, _ := p.Next(ctx, req)
		for range 5 {
			if in, _ := p.Next(ctx, req); in.Address != first.Address {
				t.Fatalf("user %s went to %s and %s", req.UserID, first.Address, in.Address)
			}
		}
	}
	seen := map[string]bool{}
	for range 200 { // no key: random
		in, _ := p.Next(ctx, &request{})
		seen[in.Address] = true
	}
	if len(seen) != 5 {
		t.Errorf("keyless calls reached %d of 5 instances", len(seen))
	}
}

package loadbalance_test

import (
	"context"
	"testing"

	"github.com/ternhq/tern/framework/loadbalance"
)

// benchWeights are the weights of the 10 instances every benchmark balances over.
var benchWeights = []int{10, 10, 20, 20, 30, 30, 40, 40, 50, 60}

func benchBalancers() []struct {
	name string
	lb   loadbalance.Loadbalancer
} {
	return []struct {
		name string
		lb   loadbalance.Loadbalancer
	}{
		{"WeightedRoundRobin", loadbalance.NewWeightedRoundRobin()},
		{"WeightedRandom", loadbalance.NewWeightedRandom()},
		{"ConsistentHash", loadbalance.NewConsistentHash(loadbalance.DefaultConsistentHashConfig())},
		{"P2C", loadbalance.NewP2C()},
	}
}

// BenchmarkNext measures Picker.Next over 10 weighted instances, with a hash key in the context.
func BenchmarkNext(b *testing.B) {
	ctx := loadbalance.WithHashKey(context.Background(), "user-1234567")
	for _, bb := range benchBalancers() {
		b.Run(bb.name, func(b *testing.B) {
			p := bb.lb.GetPicker(result(benchWeights...))
			b.ReportAllocs()
			for b.Loop() {
				p.Next(ctx, nil)
			}
		})
	}
}

// BenchmarkNextParallel is BenchmarkNext from GOMAXPROCS goroutines sharing one picker.
func BenchmarkNextParallel(b *testing.B) {
	ctx := loadbalance.WithHashKey(context.Background(), "user-1234567")
	for _, bb := range benchBalancers() {
		b.Run(bb.name, func(b *testing.B) {
			p := bb.lb.GetPicker(result(benchWeights...))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					p.Next(ctx, nil)
				}
			})
		})
	}
}

// BenchmarkGetPickerNext is the per-call path of a client: GetPicker for the current Result (cached),
// then Next.
func BenchmarkGetPickerNext(b *testing.B) {
	ctx := loadbalance.WithHashKey(context.Background(), "user-1234567")
	r := result(benchWeights...)
	for _, bb := range benchBalancers() {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bb.lb.GetPicker(r).Next(ctx, nil)
			}
		})
	}
}

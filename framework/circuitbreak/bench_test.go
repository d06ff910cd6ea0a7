package circuitbreak_test

import (
	"testing"

	"github.com/ternhq/tern/framework/circuitbreak"
)

func BenchmarkAllowRecord(b *testing.B) {
	s := circuitbreak.NewSet(nil)
	key := circuitbreak.MethodKey("cart", "stock", "Reserve")
	b.ReportAllocs()
	for b.Loop() {
		if s.Allow(key) == nil {
			s.Record(key, nil)
		}
	}
}

func BenchmarkAllowRecordParallel(b *testing.B) {
	s := circuitbreak.NewSet(nil)
	key := circuitbreak.MethodKey("cart", "stock", "Reserve")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if s.Allow(key) == nil {
				s.Record(key, errNotFound)
			}
		}
	})
}

func BenchmarkAllowOpen(b *testing.B) {
	s := circuitbreak.NewSet(func(string) circuitbreak.Config { return circuitbreak.Config{MinSamples: 1} })
	s.Record("k", errUnavailable)
	b.ReportAllocs()
	for b.Loop() {
		if s.Allow("k") == nil {
			b.Fatal("breaker not open")
		}
	}
}

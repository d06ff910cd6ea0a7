package limit_test

import (
	"testing"

	"github.com/ternhq/tern/framework/limit"
)

func BenchmarkTokenBucketAllow(b *testing.B) {
	tb := limit.NewTokenBucket(1e8, 1000)
	b.ReportAllocs()
	for b.Loop() {
		tb.Allow()
	}
}

func BenchmarkTokenBucketAllowParallel(b *testing.B) {
	tb := limit.NewTokenBucket(1e8, 1000)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tb.Allow()
		}
	})
}

func BenchmarkConcurrencyAcquireRelease(b *testing.B) {
	c := limit.NewConcurrency(1000)
	b.ReportAllocs()
	for b.Loop() {
		if c.Acquire() {
			c.Release()
		}
	}
}

func BenchmarkConcurrencyAcquireReleaseParallel(b *testing.B) {
	c := limit.NewConcurrency(1000)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if c.Acquire() {
				c.Release()
			}
		}
	})
}

func BenchmarkLimitsAcquireCall(b *testing.B) {
	l := limit.New(limit.Config{QPS: 1e8, MaxConcurrency: 1000})
	b.ReportAllocs()
	for b.Loop() {
		if l.AcquireCall() == nil {
			l.ReleaseCall()
		}
	}
}

package retry_test

import (
	"context"
	"testing"

	"github.com/ternhq/tern/framework/retry"
)

func BenchmarkBudgetDepositWithdraw(b *testing.B) {
	bg := retry.NewBudget(0.1, 10)
	b.ReportAllocs()
	for b.Loop() {
		bg.Deposit()
		bg.Withdraw()
	}
}

func BenchmarkBudgetDepositWithdrawParallel(b *testing.B) {
	bg := retry.NewBudget(0.1, 10)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			bg.Deposit()
			bg.Withdraw()
		}
	})
}

func BenchmarkDoSuccess(b *testing.B) {
	ctx := context.Background()
	p := retry.DefaultPolicy()
	bg := retry.NewBudget(0.1, 10)
	call := func(context.Context, int) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		_ = retry.Do(ctx, p, bg, call)
	}
}

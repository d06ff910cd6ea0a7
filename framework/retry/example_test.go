package retry_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ternhq/tern/framework/retry"
	"github.com/ternhq/tern/framework/rpcerr"
)

func ExampleDo() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	budget := retry.NewBudget(0.1, 1)
	policy := retry.Policy{MaxAttempts: 3, Backoff: retry.ExponentialBackoff(time.Millisecond, 10*time.Millisecond, 0.2)}

	err := retry.Do(ctx, policy, budget, func(ctx context.Context, attempt int) error {
		fmt.Println("attempt", attempt)
		// No connection could be made: nothing was sent, so even a non-idempotent call may retry.
		return retry.NotSent(rpcerr.New(rpcerr.CodeUnavailable, "no connection to stock"))
	})
	fmt.Println(err)
	fmt.Println(rpcerr.CodeOf(err), retry.Attempts(err))
	// Output:
	// attempt 1
	// attempt 2
	// attempt 3
	// unavailable: no connection to stock (3 attempts)
	// unavailable 3
}

func ExampleBackup() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := retry.Backup(ctx, 5*time.Millisecond, 1, nil, func(ctx context.Context, attempt int) error {
		if attempt == 1 { // a slow instance
			<-ctx.Done()
			return ctx.Err()
		}
		fmt.Println("backup request answered")
		return nil
	})
	fmt.Println(err)
	// Output:
	// backup request answered
	// <nil>
}

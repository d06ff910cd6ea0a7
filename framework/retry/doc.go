// Package retry makes calls again when doing so is safe and likely to help: Do retries failed calls
// under a Policy, Backup sends a second request when the first is slow, and a Budget keeps retries to a
// share of the traffic so that a failing callee is not buried under them.
//
// Whether a failed call may be retried depends on whether its request may have reached the server. The
// caller marks errors that happened before anything was sent (no connection, an open circuit breaker)
// with NotSent; those are retried whenever Policy.RetryOn allows. Any other error is retried only if
// Policy.Idempotent says the method is safe to run twice.
//
//	budget := retry.NewBudget(0.1, 1) // per client
//	err := retry.Do(ctx, retry.DefaultPolicy(), budget, func(ctx context.Context, attempt int) error {
//		conn, err := pool.Get(ctx)
//		if err != nil {
//			return retry.NotSent(err)
//		}
//		return send(ctx, conn)
//	})
//
// Oneway calls are never retried: the client cannot tell whether a oneway request arrived, and a
// duplicate cannot be taken back. A Policy with Oneway set makes exactly one attempt; Backup must not be
// used for oneway calls.
package retry

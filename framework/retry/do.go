package retry

import (
	"context"
	"strconv"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
)

// Do calls call, and calls it again while p allows: the attempt failed with an error p retries, fewer
// than p.MaxAttempts attempts were made, p.MaxDuration has not passed, ctx is not done, and b (if not
// nil) has budget for the retry. attempt counts from 1. Do waits p.Backoff between attempts.
//
// Do returns nil once an attempt succeeds, or else the last attempt's error. If there were retries, or a
// retry was refused by the budget or MaxDuration, the error is annotated with the number of attempts
// (see Attempts) and why Do stopped; its rpcerr code is the last attempt's. If ctx ends while Do waits
// to retry, the error has ctx's code (Canceled or DeadlineExceeded) and mentions the last attempt's.
func Do(ctx context.Context, p Policy, b *Budget, call func(ctx context.Context, attempt int) error) error {
	b.Deposit()
	var start time.Time
	if p.MaxDuration > 0 {
		start = time.Now()
	}
	maxAttempts := p.maxAttempts()
	for attempt := 1; ; attempt++ {
		err := call(ctx, attempt)
		if err == nil {
			return nil
		}
		if attempt >= maxAttempts || !p.retryable(err) || ctx.Err() != nil {
			return annotate(err, attempt, "")
		}
		var delay time.Duration
		if p.Backoff != nil {
			delay = p.Backoff.Delay(attempt)
		}
		if p.MaxDuration > 0 && time.Since(start)+delay >= p.MaxDuration {
			return annotate(err, attempt, "max duration "+p.MaxDuration.String()+" reached")
		}
		if !b.Withdraw() {
			return annotate(err, attempt, "retry budget exhausted")
		}
		if cerr := wait(ctx, delay); cerr != nil {
			werr := rpcerr.Errorf(rpcerr.CodeOf(cerr), "%w while waiting to retry; last error: %v", cerr, err)
			return annotate(werr, attempt, "")
		}
	}
}

// wait sleeps for d, or until ctx is done and then returns ctx's error.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Backup makes a call with backup requests, to cut tail latency: it starts call, and each time delay
// passes without an answer it starts another attempt, up to maxExtra more, while b (if not nil) has
// budget for them. The first attempt to succeed wins and the contexts of the others are cancelled; call
// must respect its context and must not share mutable state between attempts (each attempt should decode
// into its own response, the winner's then used).
//
// Backup hedges slow calls; it does not retry failed ones (combine it with Do for that): once every
// attempt started has failed, it returns the last error, annotated with the number of attempts if there
// were several. If ctx ends first, it returns at once with ctx's code. Backup waits for no attempt
// after deciding: attempts still running finish in the background, their results discarded. A delay
// of zero or less, or maxExtra less than 1, means a single attempt. Never use Backup for oneway calls.
func Backup(ctx context.Context, delay time.Duration, maxExtra int, b *Budget, call func(ctx context.Context, attempt int) error) error {
	b.Deposit()
	if delay <= 0 || maxExtra < 1 {
		return call(ctx, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan error, maxExtra+1) // buffered: finished attempts never block, so never leak
	start := func(attempt int) {
		go func() { results <- call(ctx, attempt) }()
	}
	start(1)
	started, running := 1, 1
	timer := time.NewTimer(delay)
	defer timer.Stop()
	var last error
	for {
		select {
		case err := <-results:
			running--
			if err == nil {
				return nil
			}
			last = err
			if running == 0 {
				return annotate(last, started, "")
			}
		case <-timer.C:
			if started <= maxExtra && b.Withdraw() {
				started++
				running++
				start(started)
				if started <= maxExtra {
					timer.Reset(delay)
				}
			}
		case <-ctx.Done():
			err := ctx.Err()
			return annotate(rpcerr.Wrap(rpcerr.CodeOf(err), err), started, "")
		}
	}
}

// Attempts returns the number of attempts Do or Backup made before returning err, or 0 if err does not
// say (a call that failed at its only attempt, with nothing refused, is not annotated).
func Attempts(err error) int {
	for e := err; e != nil; {
		if a, ok := e.(*attemptsError); ok {
			return a.attempts
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return 0
		}
		e = u.Unwrap()
	}
	return 0
}

// annotate wraps err with the attempt count and why retrying stopped, if there is anything to say.
func annotate(err error, attempts int, stopped string) error {
	if attempts < 2 && stopped == "" {
		return err
	}
	return &attemptsError{err: err, attempts: attempts, stopped: stopped}
}

// attemptsError is the last attempt's error, annotated; it keeps that error's code.
type attemptsError struct {
	err      error
	attempts int
	stopped  string
}

func (e *attemptsError) Error() string {
	s := e.err.Error() + " (" + strconv.Itoa(e.attempts) + " attempt"
	if e.attempts != 1 {
		s += "s"
	}
	if e.stopped != "" {
		s += "; " + e.stopped
	}
	return s + ")"
}

func (e *attemptsError) Unwrap() error { return e.err }

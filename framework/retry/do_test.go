package retry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/retry"
	"github.com/ternhq/tern/framework/rpcerr"
)

var (
	errUnavailable = rpcerr.New(rpcerr.CodeUnavailable, "connection reset")
	errTimeout     = rpcerr.New(rpcerr.CodeDeadlineExceeded, "rpc timeout 50ms")
	errBiz         = errors.New("out of stock")
)

// testCtx returns a context that ends with the test, at the latest in 5s.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// script returns a call that returns errs[i] at attempt i+1 (nil once errs run out), and its counter.
func script(errs ...error) (func(context.Context, int) error, *atomic.Int32) {
	var n atomic.Int32
	return func(_ context.Context, attempt int) error {
		if int(n.Add(1)) != attempt {
			panic("attempt numbers out of order")
		}
		if attempt <= len(errs) {
			return errs[attempt-1]
		}
		return nil
	}, &n
}

func repeat(err error, n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

func TestDefaultRetryOn(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{errUnavailable, true},
		{errTimeout, true},
		{retry.NotSent(errUnavailable), true},
		{fmt.Errorf("dial: %w", errUnavailable), true},
		{context.DeadlineExceeded, true},
		{rpcerr.New(rpcerr.CodeCanceled, "bye"), false},
		{context.Canceled, false},
		{errBiz, false},
		{rpcerr.New(rpcerr.CodeInvalidArgument, "bad"), false},
		{rpcerr.New(rpcerr.CodeResourceExhausted, "limit"), false},
		{rpcerr.New(rpcerr.CodeCircuitOpen, "open"), false},
		{rpcerr.New(rpcerr.CodeInternal, "panic"), false},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			if got := retry.DefaultRetryOn(tt.err); got != tt.want {
				t.Errorf("DefaultRetryOn(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestNotSent(t *testing.T) {
	if retry.NotSent(nil) != nil {
		t.Error("NotSent(nil) != nil")
	}
	err := fmt.Errorf("attempt 2: %w", retry.NotSent(errUnavailable))
	if !retry.IsNotSent(err) {
		t.Error("IsNotSent of a wrapped NotSent error = false")
	}
	if rpcerr.CodeOf(err) != rpcerr.CodeUnavailable || !errors.Is(err, errUnavailable) {
		t.Errorf("NotSent lost the code or the error: %v", err)
	}
	if err.Error() != "attempt 2: unavailable: connection reset" {
		t.Errorf("message = %q", err)
	}
	if retry.IsNotSent(errUnavailable) || retry.IsNotSent(nil) {
		t.Error("IsNotSent of an unmarked error = true")
	}
}

func TestDoAttempts(t *testing.T) {
	notSent := retry.NotSent(errUnavailable)
	always := func(error) bool { return true }
	tests := []struct {
		name     string
		policy   retry.Policy
		errs     []error // what each attempt returns; nil after
		attempts int     // calls made
		code     rpcerr.Code
	}{
		{"success at once", retry.Policy{MaxAttempts: 3}, nil, 1, rpcerr.CodeOK},
		{"not sent, then success", retry.Policy{MaxAttempts: 3}, []error{notSent, notSent}, 3, rpcerr.CodeOK},
		{"not sent every time", retry.Policy{MaxAttempts: 3}, repeat(notSent, 5), 3, rpcerr.CodeUnavailable},
		{"sent, not idempotent", retry.Policy{MaxAttempts: 3}, []error{errUnavailable}, 1, rpcerr.CodeUnavailable},
		{"sent timeout, not idempotent", retry.Policy{MaxAttempts: 3}, []error{errTimeout}, 1, rpcerr.CodeDeadlineExceeded},
		{"sent, idempotent", retry.Policy{MaxAttempts: 3, Idempotent: true}, []error{errUnavailable, errTimeout}, 3, rpcerr.CodeOK},
		{"sent, idempotent, all fail", retry.Policy{MaxAttempts: 4, Idempotent: true}, repeat(errTimeout, 9), 4, rpcerr.CodeDeadlineExceeded},
		{"business error", retry.Policy{MaxAttempts: 3, Idempotent: true}, []error{errBiz}, 1, rpcerr.CodeUnknown},
		{"not-sent business error", retry.Policy{MaxAttempts: 3}, []error{retry.NotSent(errBiz)}, 1, rpcerr.CodeUnknown},
		{"canceled despite RetryOn", retry.Policy{MaxAttempts: 3, Idempotent: true, RetryOn: always},
			[]error{retry.NotSent(context.Canceled)}, 1, rpcerr.CodeCanceled},
		{"custom RetryOn", retry.Policy{MaxAttempts: 3, RetryOn: always}, []error{retry.NotSent(errBiz)}, 2, rpcerr.CodeOK},
		{"zero policy", retry.Policy{}, []error{notSent}, 1, rpcerr.CodeUnavailable},
		{"oneway", retry.Policy{MaxAttempts: 3, Idempotent: true, Oneway: true}, []error{notSent}, 1, rpcerr.CodeUnavailable},
		{"default policy, not sent", retry.DefaultPolicy(), repeat(notSent, 5), 3, rpcerr.CodeUnavailable},
		{"default policy, sent", retry.DefaultPolicy(), []error{errUnavailable}, 1, rpcerr.CodeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, n := script(tt.errs...)
			err := retry.Do(testCtx(t), tt.policy, nil, call)
			if int(n.Load()) != tt.attempts || rpcerr.CodeOf(err) != tt.code {
				t.Fatalf("%d attempts, error %v; want %d attempts, code %v", n.Load(), err, tt.attempts, tt.code)
			}
			wantAnnotated := 0
			if err != nil && tt.attempts > 1 {
				wantAnnotated = tt.attempts
				if !strings.HasSuffix(err.Error(), fmt.Sprintf("(%d attempts)", tt.attempts)) {
					t.Errorf("error %q does not give the attempt count", err)
				}
			}
			if got := retry.Attempts(err); got != wantAnnotated {
				t.Errorf("Attempts(err) = %d, want %d", got, wantAnnotated)
			}
			if err != nil && !errors.Is(err, tt.errs[tt.attempts-1]) {
				t.Errorf("error %v does not wrap the last attempt's error", err)
			}
		})
	}
}

// recordingBackoff remembers which attempts it was asked about.
type recordingBackoff struct {
	d     time.Duration
	asked []int
}

func (b *recordingBackoff) Delay(attempt int) time.Duration {
	b.asked = append(b.asked, attempt)
	return b.d
}

func TestDoWaitsBackoff(t *testing.T) {
	bo := &recordingBackoff{d: 5 * time.Millisecond}
	call, _ := script(repeat(retry.NotSent(errUnavailable), 2)...)
	start := time.Now()
	if err := retry.Do(testCtx(t), retry.Policy{MaxAttempts: 3, Backoff: bo}, nil, call); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 10*time.Millisecond {
		t.Errorf("3 attempts with 5ms backoff took %v, want at least 10ms", elapsed)
	}
	if fmt.Sprint(bo.asked) != "[1 2]" {
		t.Errorf("Backoff asked for attempts %v, want [1 2]", bo.asked)
	}
}

func TestDoMaxDuration(t *testing.T) {
	p := retry.Policy{MaxAttempts: 100, MaxDuration: 50 * time.Millisecond, Backoff: retry.FixedBackoff(20 * time.Millisecond)}
	call, n := script(repeat(retry.NotSent(errUnavailable), 100)...)
	start := time.Now()
	err := retry.Do(testCtx(t), p, nil, call)
	elapsed := time.Since(start)
	// Attempts at 0, 20 and 40ms; a fourth would start at 60ms, past the bound.
	if n.Load() < 2 || n.Load() > 3 || elapsed > 500*time.Millisecond {
		t.Errorf("%d attempts in %v, want 2-3 within about 50ms", n.Load(), elapsed)
	}
	if !strings.Contains(err.Error(), "max duration 50ms reached") || rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Errorf("error %q: want code unavailable and the reason", err)
	}
}

func TestDoStopsWhenContextEnds(t *testing.T) {
	t.Run("cancelled while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		p := retry.Policy{MaxAttempts: 5, Backoff: retry.FixedBackoff(time.Hour)}
		var n atomic.Int32
		start := time.Now()
		err := retry.Do(ctx, p, nil, func(context.Context, int) error {
			n.Add(1)
			time.AfterFunc(5*time.Millisecond, cancel)
			return retry.NotSent(errUnavailable)
		})
		if n.Load() != 1 || rpcerr.CodeOf(err) != rpcerr.CodeCanceled || time.Since(start) > time.Second {
			t.Fatalf("%d attempts, error %v after %v; want 1 attempt, code canceled, at once", n.Load(), err, time.Since(start))
		}
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "last error: unavailable: connection reset") {
			t.Errorf("error %q should wrap context.Canceled and mention the last attempt's error", err)
		}
	})
	t.Run("deadline during retries", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(testCtx(t), 30*time.Millisecond)
		defer cancel()
		p := retry.Policy{MaxAttempts: 1000, Backoff: retry.FixedBackoff(5 * time.Millisecond)}
		var n atomic.Int32
		err := retry.Do(ctx, p, nil, func(ctx context.Context, _ int) error {
			n.Add(1)
			if err := ctx.Err(); err != nil { // as a real call would
				return err
			}
			return retry.NotSent(errUnavailable)
		})
		if rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded || n.Load() < 2 || n.Load() > 7 {
			t.Errorf("%d attempts, error %v; want a few attempts then code deadline_exceeded", n.Load(), err)
		}
	})
	t.Run("cancelled during an attempt", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		var n atomic.Int32
		err := retry.Do(ctx, retry.Policy{MaxAttempts: 5}, nil, func(context.Context, int) error {
			n.Add(1)
			cancel()
			return retry.NotSent(errUnavailable)
		})
		if n.Load() != 1 || rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
			t.Errorf("%d attempts, error %v; want 1 attempt and its error", n.Load(), err)
		}
	})
}

package retry

import (
	"errors"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
)

// Policy says when Do retries a failed call. The zero Policy makes a single attempt.
type Policy struct {
	// MaxAttempts is the most attempts a call makes, the first included; less than 2 means no retries.
	MaxAttempts int
	// MaxDuration bounds the whole call: no retry starts, and no backoff is waited out, past this long
	// after the first attempt began. It does not cut short an attempt in flight (the RPC timeout does
	// that). Zero means no bound besides the context's deadline.
	MaxDuration time.Duration
	// Backoff is the wait between attempts; nil means none.
	Backoff Backoff
	// RetryOn reports whether a failed attempt's error is worth retrying; nil means DefaultRetryOn.
	// Whatever it says, errors with code rpcerr.CodeCanceled are never retried.
	RetryOn func(err error) bool
	// Idempotent says the method may safely run more than once, so that an attempt whose request may
	// have reached the server can be retried. Without it only errors marked NotSent are retried.
	Idempotent bool
	// Oneway marks a oneway method, which is never retried: Do makes exactly one attempt.
	Oneway bool
}

// DefaultPolicy returns up to 3 attempts (Kitex's default of 2 retries), exponential backoff from 10ms
// to 100ms with 20% jitter (spreading retries of calls that failed together), DefaultRetryOn, and
// Idempotent false, so that only requests that were never sent are retried.
func DefaultPolicy() Policy {
	return Policy{
		MaxAttempts: 3,
		Backoff:     ExponentialBackoff(10*time.Millisecond, 100*time.Millisecond, 0.2),
	}
}

// DefaultRetryOn retries errors with codes Unavailable (the server could not be reached or is shutting
// down; another attempt may reach another instance) and DeadlineExceeded (an attempt's RPC timeout
// fired; Do stops anyway once the call's own context is done). It does not retry Canceled, business
// errors (plain errors, code Unknown), errors about the request itself (InvalidArgument, NotFound,
// Unimplemented...), ResourceExhausted (retrying an overloaded server adds load) or CircuitOpen (the
// breaker refuses the retry just as fast; a caller with per-instance breakers may add it).
func DefaultRetryOn(err error) bool {
	switch codeOf(err) {
	case rpcerr.CodeUnavailable, rpcerr.CodeDeadlineExceeded:
		return true
	}
	return false
}

// retryable reports whether the error of a failed attempt allows another.
func (p *Policy) retryable(err error) bool {
	if codeOf(err) == rpcerr.CodeCanceled {
		return false
	}
	retryOn := p.RetryOn
	if retryOn == nil {
		retryOn = DefaultRetryOn
	}
	return retryOn(err) && (p.Idempotent || IsNotSent(err))
}

func (p *Policy) maxAttempts() int {
	if p.Oneway {
		return 1
	}
	return max(p.MaxAttempts, 1)
}

// NotSent marks err as having happened before the request was sent, so that the call is safe to retry
// even if it is not idempotent. The result keeps err's code and is matched by errors.Is and errors.As as
// err is. NotSent(nil) returns nil.
func NotSent(err error) error {
	if err == nil {
		return nil
	}
	return &notSentError{err: err}
}

// IsNotSent reports whether err, or an error it wraps, was marked with NotSent.
func IsNotSent(err error) bool {
	var ns *notSentError
	return errors.As(err, &ns)
}

type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

// codeOf is rpcerr.CodeOf without its allocation (errors.As moves its target to the heap) for the
// common chains: an *rpcerr.Error, possibly wrapped by errors with a single Unwrap.
func codeOf(err error) rpcerr.Code {
	for e := err; e != nil; {
		if re, ok := e.(*rpcerr.Error); ok {
			return re.Code()
		}
		if _, ok := e.(interface{ As(any) bool }); ok {
			break
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	return rpcerr.CodeOf(err)
}

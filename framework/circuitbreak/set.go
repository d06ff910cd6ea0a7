package circuitbreak

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
)

// Set holds breakers keyed by string, created on first use with the configuration its config function
// returns for the key. A Set is safe for concurrent use; the zero value is not usable, call NewSet.
type Set struct {
	config   func(key string) Config
	classify Classifier
	onChange func(key string, from, to State)
	clock    clock

	breakers sync.Map   // key string -> *breaker
	create   sync.Mutex // serialises creating breakers, so config is called once per key
}

// NewSet returns an empty Set. config returns the configuration of a new key's breaker, so it can
// differ per method or per instance; it is called once per key, when the key is first used (and again
// after Remove), never concurrently with itself. A nil config gives every key DefaultConfig.
func NewSet(config func(key string) Config, opts ...Option) *Set {
	o := options{classify: DefaultClassifier, now: time.Now}
	for _, opt := range opts {
		opt.apply(&o)
	}
	if config == nil {
		config = func(string) Config { return DefaultConfig() }
	}
	return &Set{
		config:   config,
		classify: o.classify,
		onChange: o.onChange,
		clock:    clock{now: o.now, base: o.now()},
	}
}

// MethodKey returns the key of a service-method breaker, "caller/callee/method". Build it once per
// method, not per call: it allocates.
func MethodKey(caller, callee, method string) string {
	return caller + "/" + callee + "/" + method
}

// Allow reports whether a call for key may go ahead: nil, or an *rpcerr.Error with code
// rpcerr.CodeCircuitOpen naming the key and saying for how long it refuses calls. A call that was
// allowed must be reported with Record once it completes; one that was refused must not be.
func (s *Set) Allow(key string) error {
	return s.get(key).allow()
}

// Record reports the outcome of a call for key that Allow let through. The Set's Classifier decides
// whether err counts as a success, a failure or neither; a nil err is a success.
func (s *Set) Record(key string, err error) {
	outcome := Success
	if err != nil {
		outcome = s.classify(err)
	}
	if outcome == Ignore {
		return
	}
	s.get(key).record(outcome == Failure)
}

// State returns key's state as Allow sees it now: an open breaker whose cool-down is over is HalfOpen.
// A key the Set has not seen is Closed.
func (s *Set) State(key string) State {
	if b, ok := s.breakers.Load(key); ok {
		return b.(*breaker).current(s.clock.nanos())
	}
	return Closed
}

// Remove forgets key's breaker; the next call for key starts a new one, closed and with the
// configuration the Set's config function then returns. Use it when an instance leaves, or to apply
// new configuration.
func (s *Set) Remove(key string) {
	s.breakers.Delete(key)
}

// Stats describes one breaker at the time of a Set.Stats call.
type Stats struct {
	Key       string
	State     State
	Successes int64  // successful calls in the window
	Failures  int64  // failed calls in the window
	Rejected  uint64 // calls refused since the breaker was created
	// OpenRemaining is, while State is Open, how long the breaker keeps refusing calls.
	OpenRemaining time.Duration
}

// Stats returns a snapshot of every breaker, sorted by key, for diagnostics.
func (s *Set) Stats() []Stats {
	t := s.clock.nanos()
	var out []Stats
	s.breakers.Range(func(_, v any) bool {
		out = append(out, v.(*breaker).stats(t))
		return true
	})
	slices.SortFunc(out, func(a, b Stats) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

func (s *Set) get(key string) *breaker {
	if b, ok := s.breakers.Load(key); ok {
		return b.(*breaker)
	}
	s.create.Lock()
	defer s.create.Unlock()
	if b, ok := s.breakers.Load(key); ok {
		return b.(*breaker)
	}
	b := newBreaker(s, key, s.config(key))
	s.breakers.Store(key, b)
	return b
}

func (s *Set) changed(key string, from, to State) {
	if s.onChange != nil {
		s.onChange(key, from, to)
	}
}

// Outcome is how a call's result counts for its breaker.
type Outcome uint8

// The outcomes a Classifier chooses from.
const (
	Success Outcome = iota // the callee answered
	Failure                // the callee failed or could not be reached
	Ignore                 // the result says nothing about the callee (the caller cancelled)
)

// String returns "success", "failure" or "ignore".
func (o Outcome) String() string {
	switch o {
	case Success:
		return "success"
	case Failure:
		return "failure"
	case Ignore:
		return "ignore"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// A Classifier decides how a call's non-nil error counts for its breaker.
type Classifier func(err error) Outcome

// DefaultClassifier counts as failures the errors that point at an unhealthy callee or path to it:
// codes Unavailable, DeadlineExceeded, Internal, ResourceExhausted and CircuitOpen. It ignores Canceled
// (the caller gave up; that says nothing about the callee), and counts everything else as a success:
// the callee answered, even if with InvalidArgument, NotFound or a declared business error (plain
// errors, code Unknown). The client must therefore give transport errors a code, such as Unavailable.
func DefaultClassifier(err error) Outcome {
	switch codeOf(err) {
	case rpcerr.CodeUnavailable, rpcerr.CodeDeadlineExceeded, rpcerr.CodeInternal,
		rpcerr.CodeResourceExhausted, rpcerr.CodeCircuitOpen:
		return Failure
	case rpcerr.CodeCanceled:
		return Ignore
	}
	return Success
}

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

// Option configures a Set; pass options to NewSet.
type Option interface{ apply(*options) }

type options struct {
	classify Classifier
	onChange func(key string, from, to State)
	now      func() time.Time
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithClassifier sets how errors count (default DefaultClassifier).
func WithClassifier(c Classifier) Option {
	return optionFunc(func(o *options) {
		if c != nil {
			o.classify = c
		}
	})
}

// WithStateChange sets a function called after a breaker changes state, for logging or metrics. It is
// called synchronously from Allow or Record, so it must be quick.
func WithStateChange(f func(key string, from, to State)) Option {
	return optionFunc(func(o *options) { o.onChange = f })
}

// WithClock sets the time source (default time.Now), for deterministic tests.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *options) {
		if now != nil {
			o.now = now
		}
	})
}

// clock measures time since the Set was created; with time.Now it reads the monotonic clock.
type clock struct {
	now  func() time.Time
	base time.Time
}

func (c *clock) nanos() int64 {
	if d := c.now().Sub(c.base); d > 0 {
		return int64(d)
	}
	return 0
}

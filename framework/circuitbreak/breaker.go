package circuitbreak

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
)

// breaker is one key's breaker. The hot paths (allow while closed, record while closed) use atomics
// only; state changes take mu.
type breaker struct {
	key string
	cfg Config
	set *Set
	win *window

	state     atomic.Int32 // a State
	openUntil atomic.Int64 // while Open: when the cool-down ends (Set clock, ns)
	roundAt   atomic.Int64 // while HalfOpen: when the current round of trial calls began
	probes    atomic.Int32 // while HalfOpen: trial calls let through this round
	probeOK   atomic.Int32 // while HalfOpen: trial calls that succeeded this round
	rejected  atomic.Uint64

	openErr atomic.Pointer[rpcerr.Error] // refusal while Open, built once per opening
	halfErr *rpcerr.Error                // refusal while HalfOpen with every probe taken

	mu sync.Mutex
}

func newBreaker(s *Set, key string, cfg Config) *breaker {
	cfg = cfg.withDefaults()
	return &breaker{
		key: key,
		cfg: cfg,
		set: s,
		win: newWindow(int64(cfg.Window), cfg.Buckets),
		halfErr: rpcerr.Errorf(rpcerr.CodeCircuitOpen, "circuit breaker %q is half-open: %d trial calls in flight",
			key, cfg.HalfOpenProbes),
	}
}

// allow reports whether a call may go ahead, and if not the error to fail it with.
func (b *breaker) allow() error {
	if b.cfg.Disabled {
		return nil
	}
	switch State(b.state.Load()) {
	case Closed:
		return nil
	case Open:
		t := b.set.clock.nanos()
		if t < b.openUntil.Load() {
			b.rejected.Add(1)
			return b.openErr.Load()
		}
		b.toHalfOpen(t)
		return b.allow()
	}
	return b.allowProbe()
}

// allowProbe lets through at most HalfOpenProbes trial calls per round. A round whose trial calls have
// not all reported after OpenFor is given up on, so a lost probe cannot wedge the breaker.
func (b *breaker) allowProbe() error {
	max := int32(b.cfg.HalfOpenProbes)
	for {
		n := b.probes.Load()
		if n < max {
			if b.probes.CompareAndSwap(n, n+1) {
				return nil
			}
			continue
		}
		t := b.set.clock.nanos()
		if t-b.roundAt.Load() >= int64(b.cfg.OpenFor) {
			b.newRound(t)
			continue
		}
		b.rejected.Add(1)
		return b.halfErr
	}
}

// record counts a call's outcome and moves the breaker between states.
func (b *breaker) record(failed bool) {
	if b.cfg.Disabled {
		return
	}
	switch State(b.state.Load()) {
	case Closed:
		t := b.set.clock.nanos()
		b.win.add(t, failed)
		if failed {
			b.maybeTrip(t)
		}
	case HalfOpen:
		// Outcomes are not tied to the Allow that let the call through, so a call admitted before the
		// breaker opened counts as a probe too; that only moves the decision earlier.
		if failed {
			b.trip(HalfOpen, b.set.clock.nanos(), "a trial call failed")
		} else if b.probeOK.Add(1) >= int32(b.cfg.HalfOpenProbes) {
			b.close()
		}
	}
	// Open: outcomes of calls let through before the breaker opened say nothing new.
}

func (b *breaker) maybeTrip(t int64) {
	ok, fail := b.win.sum(t)
	total := ok + fail
	if total < int64(b.cfg.MinSamples) || float64(fail) < b.cfg.ErrorRate*float64(total) {
		return
	}
	pct := strconv.FormatInt(fail*100/total, 10)
	b.trip(Closed, t, pct+"% of "+strconv.FormatInt(total, 10)+" calls failed in the last "+b.cfg.Window.String())
}

// trip opens the breaker if it is still in state from.
func (b *breaker) trip(from State, t int64, why string) {
	b.mu.Lock()
	if State(b.state.Load()) != from {
		b.mu.Unlock()
		return
	}
	b.openErr.Store(rpcerr.Errorf(rpcerr.CodeCircuitOpen, "circuit breaker %q is open: %s; calls refused for %v",
		b.key, why, b.cfg.OpenFor))
	b.openUntil.Store(t + int64(b.cfg.OpenFor))
	b.state.Store(int32(Open))
	b.mu.Unlock()
	b.set.changed(b.key, from, Open)
}

func (b *breaker) toHalfOpen(t int64) {
	b.mu.Lock()
	if State(b.state.Load()) != Open || t < b.openUntil.Load() {
		b.mu.Unlock()
		return
	}
	b.probes.Store(0)
	b.probeOK.Store(0)
	b.roundAt.Store(t)
	b.state.Store(int32(HalfOpen))
	b.mu.Unlock()
	b.set.changed(b.key, Open, HalfOpen)
}

func (b *breaker) newRound(t int64) {
	b.mu.Lock()
	if State(b.state.Load()) == HalfOpen && t-b.roundAt.Load() >= int64(b.cfg.OpenFor) {
		b.probes.Store(0)
		b.probeOK.Store(0)
		b.roundAt.Store(t)
	}
	b.mu.Unlock()
}

func (b *breaker) close() {
	b.mu.Lock()
	if State(b.state.Load()) != HalfOpen {
		b.mu.Unlock()
		return
	}
	b.win.reset()
	b.state.Store(int32(Closed))
	b.mu.Unlock()
	b.set.changed(b.key, HalfOpen, Closed)
}

// current returns the state Allow would act on at time t: an Open breaker whose cool-down is over
// counts as HalfOpen.
func (b *breaker) current(t int64) State {
	s := State(b.state.Load())
	if s == Open && t >= b.openUntil.Load() {
		return HalfOpen
	}
	return s
}

func (b *breaker) stats(t int64) Stats {
	ok, fail := b.win.sum(t)
	st := Stats{
		Key:       b.key,
		State:     b.current(t),
		Successes: ok,
		Failures:  fail,
		Rejected:  b.rejected.Load(),
	}
	if st.State == Open {
		st.OpenRemaining = time.Duration(b.openUntil.Load() - t)
	}
	return st
}

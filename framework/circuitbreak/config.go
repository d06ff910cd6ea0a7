package circuitbreak

import (
	"strconv"
	"time"
)

// Config configures one breaker. A zero field takes its value from DefaultConfig, so a per-key function
// may set only what differs: Config{MinSamples: 20}.
type Config struct {
	// Disabled turns the breaker off: Allow always lets calls through and Record does nothing.
	Disabled bool
	// Window is the span of the sliding window the error rate is measured over.
	Window time.Duration
	// Buckets is the number of time buckets the window is divided into; the window slides one bucket at
	// a time, so more buckets forget old calls more smoothly.
	Buckets int
	// MinSamples is the number of calls the window must hold before the breaker may open, so that a few
	// failures on a quiet key do not cut it off.
	MinSamples int
	// ErrorRate is the share of failed calls in the window, from 0 to 1, at or above which the breaker
	// opens. A value above 1 means it never opens.
	ErrorRate float64
	// OpenFor is how long an open breaker refuses calls before it lets trial calls through (half-open).
	OpenFor time.Duration
	// HalfOpenProbes is the number of trial calls a half-open breaker lets through. All must succeed to
	// close it; one failure opens it again for OpenFor.
	HalfOpenProbes int
}

// DefaultConfig returns the defaults, close to Kitex's:
//
//   - Window 10s in 10 buckets: long enough to see a trend, short enough to react within seconds.
//   - MinSamples 200: Kitex's minimum sample; a key must carry about 20 calls a second before its error
//     rate is trusted.
//   - ErrorRate 0.5: open when half the calls fail (Kitex's default); below that, retries and load
//     balancing cope better than refusing everything.
//   - OpenFor 5s: Kitex's cooling timeout; long enough for a restarting instance to come back.
//   - HalfOpenProbes 5: enough not to close on one lucky call, few enough that a still-broken callee
//     sees only a handful of calls per cool-down.
func DefaultConfig() Config {
	return Config{
		Window:         10 * time.Second,
		Buckets:        10,
		MinSamples:     200,
		ErrorRate:      0.5,
		OpenFor:        5 * time.Second,
		HalfOpenProbes: 5,
	}
}

// withDefaults returns c with every zero or invalid field replaced by its default.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Window <= 0 {
		c.Window = d.Window
	}
	if c.Buckets <= 0 {
		c.Buckets = d.Buckets
	}
	if c.Window/time.Duration(c.Buckets) <= 0 { // more buckets than nanoseconds
		c.Buckets = int(c.Window)
	}
	if c.MinSamples <= 0 {
		c.MinSamples = d.MinSamples
	}
	if c.ErrorRate <= 0 {
		c.ErrorRate = d.ErrorRate
	}
	if c.OpenFor <= 0 {
		c.OpenFor = d.OpenFor
	}
	if c.HalfOpenProbes <= 0 {
		c.HalfOpenProbes = d.HalfOpenProbes
	}
	return c
}

// State is a breaker's state.
type State int32

// The states of a breaker.
const (
	// Closed: calls go through and their outcomes are counted.
	Closed State = iota
	// Open: calls are refused with rpcerr.CodeCircuitOpen until the cool-down ends.
	Open
	// HalfOpen: a limited number of trial calls go through; their outcomes decide between Closed and Open.
	HalfOpen
)

// String returns "closed", "open" or "half-open".
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

package connpool

import "time"

// LongPoolConfig bounds the idle connections a LongPool keeps. A field that is zero or negative takes
// its value from DefaultLongPoolConfig.
type LongPoolConfig struct {
	// MaxIdlePerAddress caps the idle connections kept for one address (network and addr). It does not
	// cap connections in use: Get dials whenever no idle connection is left.
	MaxIdlePerAddress int
	// MaxIdleGlobal caps the idle connections kept for all addresses together. It is raised to
	// MaxIdlePerAddress if below it.
	MaxIdleGlobal int
	// MaxIdleTimeout is how long a connection may stay idle: Get never returns one idle for longer, and a
	// background sweep closes such connections within about 1.5 × MaxIdleTimeout of their last use.
	MaxIdleTimeout time.Duration
}

// DefaultLongPoolConfig returns the configuration a Kitex client (v0.16) uses when it is given no pool
// option, so that a Tern client replacing one keeps the same connection behaviour: 10 idle connections
// per address, 100 in all, closed after one minute idle.
//
// Raise MaxIdleGlobal above 100 when a client talks to more than ten instances under steady load: with
// 10 per address, the global cap is what is hit first, and every connection put back over it is closed
// (the calls then behave like short connections).
func DefaultLongPoolConfig() LongPoolConfig {
	return LongPoolConfig{
		MaxIdlePerAddress: 10,
		MaxIdleGlobal:     100,
		MaxIdleTimeout:    time.Minute,
	}
}

// normalized fills unset fields from the defaults and keeps MaxIdleGlobal at least MaxIdlePerAddress.
// Unlike Kitex, it sets no lower bound on MaxIdleTimeout (Kitex raises anything below 2s), so that tests
// can use short timeouts.
func (c LongPoolConfig) normalized() LongPoolConfig {
	def := DefaultLongPoolConfig()
	if c.MaxIdlePerAddress <= 0 {
		c.MaxIdlePerAddress = def.MaxIdlePerAddress
	}
	if c.MaxIdleGlobal <= 0 {
		c.MaxIdleGlobal = def.MaxIdleGlobal
	}
	if c.MaxIdleGlobal < c.MaxIdlePerAddress {
		c.MaxIdleGlobal = c.MaxIdlePerAddress
	}
	if c.MaxIdleTimeout <= 0 {
		c.MaxIdleTimeout = def.MaxIdleTimeout
	}
	return c
}

// sweepInterval is how often the sweeper looks for expired idle connections: half the idle timeout, so
// that none outlives it by more than half, and never more often than every millisecond.
func (c LongPoolConfig) sweepInterval() time.Duration {
	return max(c.MaxIdleTimeout/2, time.Millisecond)
}

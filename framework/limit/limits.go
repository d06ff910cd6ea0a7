package limit

import (
	"math"
	"strconv"
	"sync/atomic"

	"github.com/ternhq/tern/framework/rpcerr"
)

// The errors Limits returns for rejections, to be matched with errors.Is. The errors actually returned
// wrap them and name the configured limit ("server concurrency limit 100 reached"); all have the code
// rpcerr.CodeResourceExhausted.
var (
	ErrConnLimit        = rpcerr.New(rpcerr.CodeResourceExhausted, "server connection limit reached")
	ErrQPSLimit         = rpcerr.New(rpcerr.CodeResourceExhausted, "server QPS limit reached")
	ErrConcurrencyLimit = rpcerr.New(rpcerr.CodeResourceExhausted, "server concurrency limit reached")
)

// Config sets a server's limits. Zero (or less) means no limit.
type Config struct {
	// MaxConnections caps the connections open at once; a connection over the cap is refused.
	MaxConnections int
	// QPS caps the calls started per second, on average.
	QPS float64
	// QPSBurst is how many calls may start at once within the QPS limit. Zero means a tenth of a
	// second's worth (QPS/10, at least 1), which smooths a burst much as Kitex's 100ms refill does.
	QPSBurst int
	// MaxConcurrency caps the calls being handled at once.
	MaxConcurrency int
}

func (c Config) burst() int {
	if c.QPSBurst > 0 {
		return c.QPSBurst
	}
	return max(1, int(math.Ceil(c.QPS/10)))
}

// Limits enforces a server's Config: connections, calls per second and calls in flight. It is safe for
// concurrent use; Update changes the limits while it is in use.
type Limits struct {
	conns *Concurrency
	qps   *TokenBucket
	calls *Concurrency
	errs  atomic.Pointer[limitErrors]
}

// limitErrors are the rejections for one Config, built once so that rejecting does not allocate.
type limitErrors struct {
	conn, qps, concurrency error
}

// New returns Limits enforcing cfg.
func New(cfg Config, opts ...Option) *Limits {
	l := &Limits{
		conns: NewConcurrency(cfg.MaxConnections),
		qps:   NewTokenBucket(cfg.QPS, cfg.burst(), opts...),
		calls: NewConcurrency(cfg.MaxConcurrency),
	}
	l.storeErrors(cfg)
	return l
}

// Update replaces the limits. Connections and calls already admitted are unaffected.
func (l *Limits) Update(cfg Config) {
	l.conns.SetMax(cfg.MaxConnections)
	l.qps.SetRate(cfg.QPS, cfg.burst())
	l.calls.SetMax(cfg.MaxConcurrency)
	l.storeErrors(cfg)
}

func (l *Limits) storeErrors(cfg Config) {
	l.errs.Store(&limitErrors{
		conn:        newLimitError(ErrConnLimit, "server connection limit "+strconv.Itoa(cfg.MaxConnections)+" reached"),
		qps:         newLimitError(ErrQPSLimit, "server QPS limit "+strconv.FormatFloat(cfg.QPS, 'g', -1, 64)+" reached"),
		concurrency: newLimitError(ErrConcurrencyLimit, "server concurrency limit "+strconv.Itoa(cfg.MaxConcurrency)+" reached"),
	})
}

// AcquireConn admits a new connection, or returns an error matching ErrConnLimit. Each admitted
// connection must be released with ReleaseConn when it closes.
func (l *Limits) AcquireConn() error {
	if l.conns.Acquire() {
		return nil
	}
	return l.errs.Load().conn
}

// ReleaseConn forgets a connection admitted by AcquireConn.
func (l *Limits) ReleaseConn() { l.conns.Release() }

// AcquireCall admits a call, or returns an error matching ErrConcurrencyLimit or ErrQPSLimit. Each
// admitted call must be released with ReleaseCall when its handler returns. A call refused for
// concurrency does not use up a QPS token.
func (l *Limits) AcquireCall() error {
	if !l.calls.Acquire() {
		return l.errs.Load().concurrency
	}
	if !l.qps.Allow() {
		l.calls.Release()
		return l.errs.Load().qps
	}
	return nil
}

// ReleaseCall ends a call admitted by AcquireCall.
func (l *Limits) ReleaseCall() { l.calls.Release() }

// Stats is a snapshot of Limits for reporting.
type Stats struct {
	Connections         int    // connections open
	InFlight            int    // calls being handled
	ConnRejected        uint64 // connections refused so far
	QPSRejected         uint64 // calls refused by the QPS limit so far
	ConcurrencyRejected uint64 // calls refused by the concurrency limit so far
}

// Stats returns the current counts.
func (l *Limits) Stats() Stats {
	return Stats{
		Connections:         l.conns.InFlight(),
		InFlight:            l.calls.InFlight(),
		ConnRejected:        l.conns.Rejected(),
		QPSRejected:         l.qps.Rejected(),
		ConcurrencyRejected: l.calls.Rejected(),
	}
}

// limitError carries a rejection's message with the configured limit in it, and matches its sentinel
// (ErrConnLimit...) under errors.Is.
type limitError struct {
	msg  string
	kind *rpcerr.Error
}

func newLimitError(kind *rpcerr.Error, msg string) error {
	return rpcerr.Wrap(kind.Code(), &limitError{msg: msg, kind: kind})
}

func (e *limitError) Error() string { return e.msg }

// Is reports whether target is the sentinel this error stands for.
func (e *limitError) Is(target error) bool { return target == error(e.kind) }

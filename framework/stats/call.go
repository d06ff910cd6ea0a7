package stats

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/serviceinfo"
)

// Call is the record of one call on one side: when each event happened, the remote address, the error.
// The framework makes one per call when a tracer listens, fills it in while the call runs and hands it to
// the tracers; it is never reused. Recording is safe from several goroutines at once (backup requests
// run attempts concurrently; the latest attempt's times win).
type Call struct {
	side  Side
	level Level
	svc   *serviceinfo.ServiceInfo
	info  *rpcinfo.Info
	begin time.Time
	times [numEvents]atomic.Int64 // nanoseconds after begin plus one; zero: not recorded
	err   error                   // written once, before the tracers' Finish

	mu     sync.Mutex
	remote string
}

func newCall(side Side, level Level, svc *serviceinfo.ServiceInfo, info *rpcinfo.Info) *Call {
	c := &Call{side: side, level: level, svc: svc, info: info, begin: time.Now()}
	c.times[startEvent(side)].Store(1)
	return c
}

// Side says whether this is the client's or the server's record.
func (c *Call) Side() Side { return c.side }

// Level is the level the call is recorded at.
func (c *Call) Level() Level { return c.level }

// Service describes the called service (its IDL name and package, its methods).
func (c *Call) Service() *serviceinfo.ServiceInfo { return c.svc }

// Info is the call's rpcinfo as the call started: method, caller, callee, protocol, timeout.
func (c *Call) Info() *rpcinfo.Info { return c.info }

// Record notes that e happened now, if the call's level records e. It does nothing on a nil Call, so
// transports call it unconditionally.
func (c *Call) Record(e Event) {
	if c == nil || e >= numEvents || eventInfo[e].level > c.level {
		return
	}
	c.times[e].Store(int64(time.Since(c.begin)) + 1)
}

// Time returns when e happened, and false if it was not recorded.
func (c *Call) Time(e Event) (time.Time, bool) {
	if e >= numEvents {
		return time.Time{}, false
	}
	n := c.times[e].Load()
	if n == 0 {
		return time.Time{}, false
	}
	return c.begin.Add(time.Duration(n - 1)), true
}

// StartTime is when the call started.
func (c *Call) StartTime() time.Time { return c.begin }

// Duration is how long the call took, from its start event to its finish event (zero before it
// finishes).
func (c *Call) Duration() time.Duration {
	n := c.times[finishEvent(c.side)].Load()
	if n == 0 {
		return 0
	}
	return time.Duration(n - 1)
}

// Err is the call's error, nil if it succeeded. On the server it is the error sent to the client
// (declared IDL exceptions are results, not errors).
func (c *Call) Err() error { return c.err }

// SetRemoteAddr records the address of the other end: on a client, the instance the call went to.
func (c *Call) SetRemoteAddr(addr string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.remote = addr
	c.mu.Unlock()
}

// RemoteAddr is the address of the other end, "" when unknown. On a server it comes from the call's
// rpcinfo (the caller's address); on a client it is the instance the latest attempt went to.
func (c *Call) RemoteAddr() string {
	c.mu.Lock()
	r := c.remote
	c.mu.Unlock()
	if r != "" {
		return r
	}
	if c.side == Server {
		if a := c.info.Caller().Addr; a != nil {
			return a.String()
		}
	} else if a := c.info.Callee().Addr; a != nil {
		return a.String()
	}
	return ""
}

type ctxKey struct{}

// NewContext returns ctx carrying c, where transports find it to record events.
func NewContext(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext returns the Call ctx carries, or nil.
func FromContext(ctx context.Context) *Call {
	c, _ := ctx.Value(ctxKey{}).(*Call)
	return c
}

// Record notes event e on the Call ctx carries, if any.
func Record(ctx context.Context, e Event) { FromContext(ctx).Record(e) }

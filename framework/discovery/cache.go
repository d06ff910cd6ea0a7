package discovery

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/framework/rpcerr"
)

// ErrClosed is returned by Cache.Get after Close.
var ErrClosed = rpcerr.New(rpcerr.CodeFailedPrecondition, "discovery: cache closed")

// CacheConfig tunes a Cache. Zero fields take the defaults of DefaultCacheConfig.
type CacheConfig struct {
	// RefreshInterval is how often every cached service is resolved again in the background.
	// Default 5s.
	RefreshInterval time.Duration
	// ExpireAfter drops a service from the cache (and stops refreshing it) when Get has not asked for
	// it in this long. Default 2m; negative keeps services forever.
	ExpireAfter time.Duration
	// ResolveTimeout bounds each background Resolve call. Default 5s.
	ResolveTimeout time.Duration
}

// DefaultCacheConfig returns the configuration NewCache uses for zero fields.
func DefaultCacheConfig() CacheConfig {
	return CacheConfig{RefreshInterval: 5 * time.Second, ExpireAfter: 2 * time.Minute, ResolveTimeout: 5 * time.Second}
}

func (cfg CacheConfig) withDefaults() CacheConfig {
	def := DefaultCacheConfig()
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = def.RefreshInterval
	}
	if cfg.ExpireAfter == 0 {
		cfg.ExpireAfter = def.ExpireAfter
	}
	if cfg.ResolveTimeout <= 0 {
		cfg.ResolveTimeout = def.ResolveTimeout
	}
	return cfg
}

// CacheStats are counters of a Cache since it was created.
type CacheStats struct {
	Services int    // services cached now
	Resolves uint64 // Resolve calls made, first and background
	Errors   uint64 // failed Resolve and Watch calls
	Changes  uint64 // times the instance list of a cached service changed (new Version)
}

// Cache resolves services through a Resolver and keeps the results current in the background, so that
// Get answers from memory. The first Get of a service resolves synchronously; afterwards a refresher
// resolves every cached service each RefreshInterval, and follows the Resolver's Watcher if it has one.
// A failed refresh keeps the last good list, so a registry outage does not empty the cache; the error
// shows in Stats and LastError. Results carry a Version of the Cache's own that changes only when the
// set of instances does (compared by address, weight and tags, in any order).
//
// A Cache is safe for concurrent use. Close it to stop its goroutines.
type Cache struct {
	r      Resolver
	w      Watcher // r as a Watcher, or nil
	name   string
	cfg    CacheConfig
	ctx    context.Context
	cancel context.CancelFunc

	entries atomic.Pointer[map[string]*entry] // copy-on-write under mu
	mu      sync.Mutex
	closed  bool
	started bool
	wg      sync.WaitGroup

	resolves, errors, changes atomic.Uint64
}

// entry is one cached service.
type entry struct {
	service  string
	ready    chan struct{} // closed when the first Resolve is done
	initErr  error         // the first Resolve's error, written before ready is closed
	res      atomic.Pointer[Result]
	used     atomic.Bool  // Get asked for it since the refresher last looked
	lastUsed atomic.Int64 // unix ns when the refresher last saw used, or of creation

	mu         sync.Mutex // serialises updates; guards the fields below
	srcVersion uint64     // Version of the Resolver's latest Result
	pushes     uint64     // watch updates applied so far
	lastErr    error
	stop       func() // stops the watch
	dead       bool   // expired or closed
}

// NewCache returns a Cache over r. Its refresher starts with the first Get.
func NewCache(r Resolver, cfg CacheConfig) *Cache {
	cfg = cfg.withDefaults()
	c := &Cache{r: r, name: "cache(" + r.Name() + ")", cfg: cfg}
	c.w, _ = r.(Watcher)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.entries.Store(&map[string]*entry{})
	return c
}

// Get returns the instances of service: from memory when the service is cached (without allocating),
// otherwise by resolving it now. An error from that first resolution is returned and not cached, so
// the next Get tries again.
func (c *Cache) Get(ctx context.Context, service string) (Result, error) {
	if e := (*c.entries.Load())[service]; e != nil {
		if r := e.res.Load(); r != nil {
			markUsed(e)
			return *r, nil
		}
		return c.wait(ctx, e)
	}
	return c.create(ctx, service)
}

// Resolve is Get, which makes a Cache a Resolver too.
func (c *Cache) Resolve(ctx context.Context, service string) (Result, error) {
	return c.Get(ctx, service)
}

// Name returns "cache(<resolver name>)".
func (c *Cache) Name() string { return c.name }

// LastError returns the error of the latest background refresh of service, or nil if it succeeded or
// the service is not cached.
func (c *Cache) LastError(service string) error {
	e := (*c.entries.Load())[service]
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastErr
}

// Stats returns the Cache's counters.
func (c *Cache) Stats() CacheStats {
	return CacheStats{
		Services: len(*c.entries.Load()),
		Resolves: c.resolves.Load(),
		Errors:   c.errors.Load(),
		Changes:  c.changes.Load(),
	}
}

// Close stops the refresher and all watches, and waits for them; Get fails with ErrClosed afterwards.
// Close always returns nil; calling it again does nothing.
func (c *Cache) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	m := *c.entries.Load()
	c.entries.Store(&map[string]*entry{})
	c.mu.Unlock()

	c.cancel()
	for _, e := range m {
		e.kill()
	}
	c.wg.Wait()
	return nil
}

// markUsed records that e's service was asked for. It writes only when the flag is clear, once per
// refresh at most, so concurrent Gets share the cache line instead of bouncing it.
func markUsed(e *entry) {
	if !e.used.Load() {
		e.used.Store(true)
	}
}

// wait waits for another caller's first resolution of e.
func (c *Cache) wait(ctx context.Context, e *entry) (Result, error) {
	select {
	case <-e.ready:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	if r := e.res.Load(); r != nil {
		markUsed(e)
		return *r, nil
	}
	if isContextErr(e.initErr) && ctx.Err() == nil {
		return c.Get(ctx, e.service) // the first caller gave up, not the resolver: try ourselves
	}
	return Result{}, e.initErr
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// create adds service to the cache and resolves it for the first time.
func (c *Cache) create(ctx context.Context, service string) (Result, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return Result{}, ErrClosed
	}
	if e := (*c.entries.Load())[service]; e != nil { // created since Get looked
		c.mu.Unlock()
		return c.wait(ctx, e)
	}
	e := &entry{service: service, ready: make(chan struct{})}
	e.lastUsed.Store(time.Now().UnixNano())
	c.storeLocked(service, e)
	c.startLocked()
	c.mu.Unlock()

	res, err := c.r.Resolve(ctx, service)
	c.resolves.Add(1)
	if err != nil {
		c.errors.Add(1)
		c.remove(e)
		e.initErr = err
		close(e.ready)
		return Result{}, err
	}
	c.apply(e, res)
	r := e.res.Load()
	if r == nil { // the cache was closed meanwhile
		e.initErr = ErrClosed
	}
	close(e.ready)
	if r == nil {
		return Result{}, ErrClosed
	}
	c.watch(e)
	return *r, nil
}

// storeLocked publishes a copy of the entries with service set to e, or deleted when e is nil.
func (c *Cache) storeLocked(service string, e *entry) {
	old := *c.entries.Load()
	m := make(map[string]*entry, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	if e != nil {
		m[service] = e
	} else {
		delete(m, service)
	}
	c.entries.Store(&m)
}

// remove drops e from the cache if it is still there, and stops its watch.
func (c *Cache) remove(e *entry) {
	c.mu.Lock()
	if (*c.entries.Load())[e.service] == e {
		c.storeLocked(e.service, nil)
	}
	c.mu.Unlock()
	e.kill()
}

// kill marks e dead and stops its watch; updates to a dead entry are ignored.
func (e *entry) kill() {
	e.mu.Lock()
	e.dead = true
	stop := e.stop
	e.stop = nil
	e.mu.Unlock()
	if stop != nil {
		stop() // outside e.mu: stop waits for a running onChange, which takes e.mu
	}
}

// apply stores res as e's result, with a new Version if its instances differ from the current ones.
func (c *Cache) apply(e *entry, res Result) { c.applyIf(e, res, nil) }

// applyIf is apply for a polled result: it is dropped if a watch update came after the poll began
// (pushes, when not nil, is the watch count then).
func (c *Cache) applyIf(e *entry, res Result, pushes *uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dead || (pushes != nil && e.pushes != *pushes) {
		return
	}
	cur := e.res.Load()
	if cur != nil && res.Version != 0 && res.Version == e.srcVersion {
		return // the resolver vouches nothing changed
	}
	e.srcVersion = res.Version
	if cur != nil && SameInstances(cur.Instances, res.Instances) {
		return
	}
	e.res.Store(&Result{Service: e.service, Instances: Sorted(res.Instances), Version: NewVersion()})
	if cur != nil {
		c.changes.Add(1)
	}
}

// push applies a result the resolver's watch delivered.
func (c *Cache) push(e *entry, res Result) {
	e.mu.Lock()
	e.pushes++
	e.mu.Unlock()
	c.apply(e, res)
}

// pushCount returns how many watch updates e has had, to tell whether a poll raced with one.
func (e *entry) pushCount() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pushes
}

// failing reports whether e's last refresh failed (its registry may be down).
func (e *entry) failing() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastErr != nil
}

func (c *Cache) setErr(e *entry, err error) {
	if err != nil {
		c.errors.Add(1)
	}
	e.mu.Lock()
	e.lastErr = err
	e.mu.Unlock()
}

// watch subscribes to changes of e's service if the resolver can push them.
func (c *Cache) watch(e *entry) {
	if c.w == nil {
		return
	}
	stop, err := c.w.Watch(c.ctx, e.service, func(r Result) { c.push(e, r) })
	if err != nil {
		c.setErr(e, err) // polling still keeps the entry current
		return
	}
	e.mu.Lock()
	if !e.dead {
		e.stop, stop = stop, nil
	}
	e.mu.Unlock()
	if stop != nil {
		stop() // e died while Watch was starting
	}
}

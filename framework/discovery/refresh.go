package discovery

import (
	"context"
	"sync"
	"time"
)

// startLocked starts the refresher once; c.mu is held and c is not closed.
func (c *Cache) startLocked() {
	if c.started {
		return
	}
	c.started = true
	c.wg.Add(1)
	go c.refreshLoop()
}

// refreshLoop refreshes all cached services each RefreshInterval until Close.
func (c *Cache) refreshLoop() {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.RefreshInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			c.refreshAll()
		}
	}
}

// refreshAll drops the services nobody asked for lately (noticing use at each tick, so expiry is
// precise to one RefreshInterval) and resolves the others, concurrently, so that
// one slow service does not delay the rest.
func (c *Cache) refreshAll() {
	now := time.Now().UnixNano()
	var wg sync.WaitGroup
	for _, e := range *c.entries.Load() {
		select {
		case <-e.ready:
		default:
			continue // its first Resolve is still running
		}
		if e.used.Swap(false) {
			e.lastUsed.Store(now)
		}
		// An entry whose registry is failing is kept: it is the last good list, which a later Get
		// could not resolve again.
		if c.cfg.ExpireAfter > 0 && now-e.lastUsed.Load() > int64(c.cfg.ExpireAfter) && !e.failing() {
			c.remove(e)
			continue
		}
		wg.Go(func() { c.refresh(e) })
	}
	wg.Wait()
}

// refresh resolves e's service again and applies the result; an error keeps the last good list. A
// result the watch overtook while Resolve ran is dropped: it may be older than what the watch pushed.
func (c *Cache) refresh(e *entry) {
	pushes := e.pushCount()
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.ResolveTimeout)
	res, err := c.r.Resolve(ctx, e.service)
	cancel()
	c.resolves.Add(1)
	c.setErr(e, err)
	if err == nil {
		c.applyIf(e, res, &pushes)
	}
}

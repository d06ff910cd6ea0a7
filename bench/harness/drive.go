package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ternhq/tern/bench/contenders"
)

// driveTimeout bounds one warm-up or measured phase; past it the server is killed, which fails the
// calls still waiting.
const driveTimeout = 5 * time.Minute

// pool is a contender's client and its workers, each with its own latency histogram.
type pool struct {
	client  contenders.Client
	workers []contenders.Worker
	hists   []Histogram
}

// newPool dials the server at addr and opens n workers.
func newPool(c *contenders.Contender, addr string, cfg contenders.Config) (*pool, error) {
	cli, err := c.Dial(addr, cfg)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	p := &pool{client: cli, hists: make([]Histogram, cfg.Concurrency)}
	for range cfg.Concurrency {
		w, err := cli.NewWorker(context.Background())
		if err != nil {
			return nil, errors.Join(fmt.Errorf("open worker: %w", err), p.close())
		}
		p.workers = append(p.workers, w)
	}
	return p, nil
}

// close ends the workers and the client.
func (p *pool) close() error {
	var errs []error
	for _, w := range p.workers {
		if err := w.Close(); err != nil {
			errs = append(errs, err)
			break // one is enough to report; the client's Close below releases the rest
		}
	}
	return errors.Join(append(errs, p.client.Close())...)
}

// drive makes n calls spread over the workers and returns the first error. Each call is timed with
// the monotonic clock into its worker's histogram. Calls get a plain background context, as in a
// typical benchmark client, so that no stack pays for watching a cancellable one; onTimeout runs if
// the calls take longer than driveTimeout.
func (p *pool) drive(n int, onTimeout func()) error {
	for i := range p.hists {
		p.hists[i].Reset()
	}
	watchdog := time.AfterFunc(driveTimeout, onTimeout)
	defer watchdog.Stop()
	var (
		left     atomic.Int64
		failed   atomic.Bool
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	left.Store(int64(n))
	ctx := context.Background()
	for i, w := range p.workers {
		h := &p.hists[i]
		wg.Go(func() {
			for left.Add(-1) >= 0 && !failed.Load() {
				start := time.Now()
				if err := w.Call(ctx); err != nil {
					once.Do(func() { firstErr = err })
					failed.Store(true)
					return
				}
				h.Record(time.Since(start))
			}
		})
	}
	wg.Wait()
	return firstErr
}

// merged returns the workers' histograms added up.
func (p *pool) merged() *Histogram {
	var h Histogram
	for i := range p.hists {
		h.Merge(&p.hists[i])
	}
	return &h
}

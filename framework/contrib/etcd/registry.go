package etcd

import (
	"context"
	"sync"
	"time"

	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// minRetry and maxRetry bound the wait between attempts to re-register an instance whose lease was
// lost, or to re-list a service whose watch broke.
const (
	minRetry = 100 * time.Millisecond
	maxRetry = 5 * time.Second
)

// NewRegistry returns a registry.Registry that stores instances in etcd through cli. Each registered
// instance gets a lease of its own, kept alive in the background until Deregister or until cli is
// closed; should etcd lose the lease (a partition longer than the TTL), the instance is registered
// again with a new one. Closing cli without Deregister leaves the keys to expire with their leases.
func NewRegistry(cli *clientv3.Client, opts ...RegistryOption) registry.Registry {
	cfg := registryConfig{prefix: DefaultPrefix, ttl: DefaultTTL}
	for _, o := range opts {
		o.applyToRegistry(&cfg)
	}
	return &etcdRegistry{cli: cli, cfg: cfg, entries: map[string]*entry{}}
}

type etcdRegistry struct {
	cli     *clientv3.Client
	cfg     registryConfig
	mu      sync.Mutex        // serialises Register and Deregister
	entries map[string]*entry // instances registered by this process, by key
}

// entry is one registered instance and the goroutine that keeps its lease alive.
type entry struct {
	key, value string
	cancel     context.CancelFunc
	done       chan struct{} // closed when the keeper returns
	mu         sync.Mutex
	lease      clientv3.LeaseID // current lease; the keeper replaces it when it re-registers
}

func (e *entry) leaseID() clientv3.LeaseID {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lease
}

func (e *entry) setLease(id clientv3.LeaseID) {
	e.mu.Lock()
	e.lease = id
	e.mu.Unlock()
}

// stop ends the keeper and waits for it.
func (e *entry) stop() {
	e.cancel()
	<-e.done
}

// Register writes info under a new lease and keeps the lease alive. Registering the same instance again
// with the same weight and tags does nothing; with other weight or tags it rewrites the key.
func (r *etcdRegistry) Register(ctx context.Context, info registry.Info) error {
	if err := validate(info); err != nil {
		return err
	}
	if err := checkOpen(r.cli); err != nil {
		return err
	}
	key, val := instanceKey(r.cfg.prefix, info), encode(info)
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.entries[key]
	if old != nil && old.value == val {
		return nil
	}
	if old != nil {
		old.stop() // so that it cannot re-register the old value behind our back
	}
	lease, err := r.put(ctx, key, val)
	if err != nil {
		if old != nil {
			r.start(old) // the old registration stays as it was
		}
		return wrapErr(ctx, "register "+key, err)
	}
	if old != nil {
		r.revoke(ctx, old.leaseID()) // the key has moved to the new lease
	}
	e := &entry{key: key, value: val, lease: lease}
	r.entries[key] = e
	r.start(e)
	return nil
}

// Deregister deletes the instance's key and revokes its lease.
func (r *etcdRegistry) Deregister(ctx context.Context, info registry.Info) error {
	if err := validate(info); err != nil {
		return err
	}
	if err := checkOpen(r.cli); err != nil {
		return err
	}
	key := instanceKey(r.cfg.prefix, info)
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[key]
	delete(r.entries, key)
	if e != nil {
		e.stop()
	}
	_, err := r.cli.Delete(ctx, key)
	if e != nil {
		r.revoke(ctx, e.leaseID())
	}
	if err != nil {
		return wrapErr(ctx, "deregister "+key, err)
	}
	return nil
}

// put grants a lease and writes key under it.
func (r *etcdRegistry) put(ctx context.Context, key, val string) (clientv3.LeaseID, error) {
	g, err := r.cli.Grant(ctx, r.cfg.ttlSeconds())
	if err != nil {
		return 0, err
	}
	if _, err := r.cli.Put(ctx, key, val, clientv3.WithLease(g.ID)); err != nil {
		r.revoke(ctx, g.ID)
		return 0, err
	}
	return g.ID, nil
}

// revoke revokes a lease, best effort: a lease that cannot be revoked expires by itself.
func (r *etcdRegistry) revoke(ctx context.Context, id clientv3.LeaseID) {
	if id != 0 {
		_, _ = r.cli.Revoke(ctx, id)
	}
}

// start runs e's keeper until e.stop or until the client is closed.
func (r *etcdRegistry) start(e *entry) {
	ctx, cancel := context.WithCancel(r.cli.Ctx())
	e.cancel, e.done = cancel, make(chan struct{})
	go r.keep(ctx, e)
}

// keep keeps e's lease alive; when the lease is lost it registers e again under a new lease.
func (r *etcdRegistry) keep(ctx context.Context, e *entry) {
	defer close(e.done)
	for {
		ch, err := r.cli.KeepAlive(ctx, e.leaseID())
		if err == nil {
			for range ch { // drain; the channel closes when ctx ends or the lease is gone
			}
		}
		if ctx.Err() != nil {
			return
		}
		if !r.reput(ctx, e) {
			return
		}
	}
}

// reput writes e under a new lease, retrying with backoff; false means ctx ended first.
func (r *etcdRegistry) reput(ctx context.Context, e *entry) bool {
	wait := minRetry
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		lease, err := r.put(ctx, e.key, e.value)
		if err == nil {
			e.setLease(lease)
			return true
		}
		wait = min(2*wait, maxRetry)
	}
}

// errClosed is returned when the etcd client has been closed.
var errClosed = rpcerr.New(rpcerr.CodeFailedPrecondition, "etcd: client closed")

// checkOpen fails fast once cli is closed (the client would otherwise retry for seconds).
func checkOpen(cli *clientv3.Client) error {
	if cli.Ctx().Err() != nil {
		return errClosed
	}
	return nil
}

// wrapErr gives an etcd failure a Tern code: the context's when it ended, otherwise unavailable.
func wrapErr(ctx context.Context, op string, err error) error {
	code := rpcerr.CodeUnavailable
	if ctx.Err() != nil {
		code = rpcerr.CodeOf(ctx.Err())
	}
	return rpcerr.Errorf(code, "etcd: %s: %w", op, err)
}

package etcd

import (
	"context"
	"sync"
	"time"

	"github.com/ternhq/tern/framework/discovery"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// NewResolver returns a discovery.Resolver that reads the instances NewRegistry writes (with the same
// WithPrefix). It also implements discovery.Watcher with an etcd watch on the service's prefix, which
// discovery.Cache finds and follows.
func NewResolver(cli *clientv3.Client, opts ...ResolverOption) discovery.Resolver {
	cfg := resolverConfig{prefix: DefaultPrefix}
	for _, o := range opts {
		o.applyToResolver(&cfg)
	}
	return &resolver{cli: cli, cfg: cfg}
}

type resolver struct {
	cli      *clientv3.Client
	cfg      resolverConfig
	versions versions
}

var (
	_ discovery.Resolver = (*resolver)(nil)
	_ discovery.Watcher  = (*resolver)(nil)
)

// Name returns "etcd".
func (r *resolver) Name() string { return "etcd" }

// Resolve lists the instances of service. Values that are not valid JSON instances are skipped.
func (r *resolver) Resolve(ctx context.Context, service string) (discovery.Result, error) {
	if err := checkOpen(r.cli); err != nil {
		return discovery.Result{}, err
	}
	resp, err := r.cli.Get(ctx, serviceKey(r.cfg.prefix, service), clientv3.WithPrefix())
	if err != nil {
		return discovery.Result{}, wrapErr(ctx, "resolve "+service, err)
	}
	return r.versions.result(service, sortedList(decodeAll(resp.Kvs))), nil
}

// Watch lists service's instances, then follows changes with an etcd watch from the listed revision,
// passing onChange the full list after each batch of changes. If the watch breaks (compaction, lost
// leader), it lists again and resumes. It ends with stop, ctx or the client's Close.
func (r *resolver) Watch(ctx context.Context, service string, onChange func(discovery.Result)) (func(), error) {
	if err := checkOpen(r.cli); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(r.cli.Ctx(), cancel)
	key := serviceKey(r.cfg.prefix, service)
	resp, err := r.cli.Get(ctx, key, clientv3.WithPrefix())
	if err != nil {
		unhook()
		cancel()
		return nil, wrapErr(ctx, "watch "+service, err)
	}
	f := &follower{r: r, service: service, key: key, onChange: onChange}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.run(ctx, resp)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			unhook()
			cancel()
			<-done
		})
	}, nil
}

// follower is one Watch: the state of one service, kept by one goroutine.
type follower struct {
	r        *resolver
	service  string
	key      string // the service's prefix
	onChange func(discovery.Result)
	state    map[string]discovery.Instance // by etcd key
	rev      int64                         // revision state reflects
	last     uint64                        // version last passed to onChange
}

func (f *follower) run(ctx context.Context, listed *clientv3.GetResponse) {
	f.reset(listed)
	wait := minRetry
	for {
		if f.follow(ctx) {
			wait = minRetry
		}
		if !sleep(ctx, wait) {
			return
		}
		wait = min(2*wait, maxRetry)
		if resp, err := f.r.cli.Get(ctx, f.key, clientv3.WithPrefix()); err == nil {
			f.reset(resp)
		}
	}
}

// reset replaces the state with a fresh listing and publishes it.
func (f *follower) reset(resp *clientv3.GetResponse) {
	f.state = decodeAll(resp.Kvs)
	f.rev = resp.Header.Revision
	f.publish()
}

// follow applies watch events until the watch ends; it reports whether any arrived.
func (f *follower) follow(ctx context.Context) (progressed bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wch := f.r.cli.Watch(clientv3.WithRequireLeader(ctx), f.key, clientv3.WithPrefix(), clientv3.WithRev(f.rev+1))
	for resp := range wch {
		if resp.Err() != nil || resp.Canceled {
			return progressed
		}
		for _, ev := range resp.Events {
			f.apply(ev)
		}
		f.rev = resp.Header.Revision
		progressed = true
		f.publish()
	}
	return progressed
}

func (f *follower) apply(ev *clientv3.Event) {
	k := string(ev.Kv.Key)
	if ev.Type == mvccpb.DELETE {
		delete(f.state, k)
		return
	}
	if in, ok := decode(k, ev.Kv.Value); ok {
		f.state[k] = in
	} else {
		delete(f.state, k)
	}
}

// publish passes the state to onChange unless it is the version passed last.
func (f *follower) publish() {
	res := f.r.versions.result(f.service, sortedList(f.state))
	if res.Version == f.last {
		return
	}
	f.last = res.Version
	f.onChange(res)
}

// decodeAll decodes listed key-values, skipping the invalid ones.
func decodeAll(kvs []*mvccpb.KeyValue) map[string]discovery.Instance {
	m := make(map[string]discovery.Instance, len(kvs))
	for _, kv := range kvs {
		if in, ok := decode(string(kv.Key), kv.Value); ok {
			m[string(kv.Key)] = in
		}
	}
	return m
}

// sleep waits d or until ctx ends; false means ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

package nacos

import (
	"context"
	"sync"

	"github.com/nacos-group/nacos-sdk-go/v2/model"
	"github.com/nacos-group/nacos-sdk-go/v2/vo"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/rpcerr"
)

// Watch follows service through a Nacos subscription. Each notification (the SDK may deliver them
// concurrently, or inside Subscribe) triggers one Resolve from the naming client's cache, which the
// subscription keeps current, and onChange receives the result when its instances differ from the last
// delivered. The current state is delivered first.
//
// The resolver subscribes to a service once, on its first Watch, and stays subscribed: the SDK's
// Unsubscribe also ends the server's pushes for every other user of the naming client (Kitex
// resolvers, other Tern resolvers), whose cached lists would then never be refreshed again — the SDK
// keeps its own SelectInstances subscriptions for the life of the client in the same way.
//
// With a naming client whose ClientConfig.UpdateCacheWhenEmpty is false (the SDK's default, and
// registry-nacos's default client), Nacos never reports the last instance of a service leaving;
// NewNamingClient sets it.
func (r *resolver) Watch(ctx context.Context, service string, onChange func(discovery.Result)) (func(), error) {
	s, err := r.subscribe(service)
	if err != nil {
		return nil, err
	}
	w := &watcher{
		r: r, service: service, onChange: onChange,
		signal: make(chan struct{}, 1), done: make(chan struct{}), exited: make(chan struct{}),
	}
	s.add(w)
	w.notify()
	go w.run()

	var once sync.Once
	stop := func() {
		once.Do(func() {
			s.remove(w)
			close(w.done)
			<-w.exited
		})
	}
	unhook := context.AfterFunc(ctx, stop)
	return func() { unhook(); stop() }, nil
}

// subscription is the resolver's one Nacos subscription to a service, shared by its watchers.
type subscription struct {
	param    *vo.SubscribeParam // the SDK finds the callback by the address of its field: keep it
	mu       sync.Mutex
	watchers map[*watcher]struct{}
}

func (s *subscription) add(w *watcher) {
	s.mu.Lock()
	s.watchers[w] = struct{}{}
	s.mu.Unlock()
}

func (s *subscription) remove(w *watcher) {
	s.mu.Lock()
	delete(s.watchers, w)
	s.mu.Unlock()
}

// changed is the SDK callback: it wakes every watcher.
func (s *subscription) changed([]model.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for w := range s.watchers {
		w.notify()
	}
}

// subscribe returns the subscription to service, subscribing on first use. subMu is not held by the
// callback, which the SDK may run inside Subscribe.
func (r *resolver) subscribe(service string) (*subscription, error) {
	r.subMu.Lock()
	defer r.subMu.Unlock()
	if s := r.subs[service]; s != nil {
		return s, nil
	}
	s := &subscription{watchers: map[*watcher]struct{}{}}
	s.param = &vo.SubscribeParam{
		ServiceName:       service,
		GroupName:         r.cfg.group,
		Clusters:          []string{r.cfg.cluster},
		SubscribeCallback: s.changed,
	}
	if err := r.cli.Subscribe(s.param); err != nil {
		_ = r.cli.Unsubscribe(s.param) // the SDK keeps the callback of a failed Subscribe
		return nil, rpcerr.Errorf(rpcerr.CodeUnavailable, "nacos: subscribe %s: %w", service, err)
	}
	if r.subs == nil {
		r.subs = map[string]*subscription{}
	}
	r.subs[service] = s
	return s, nil
}

// watcher turns notifications into sequential onChange calls.
type watcher struct {
	r        *resolver
	service  string
	onChange func(discovery.Result)
	signal   chan struct{} // capacity 1: a notification is pending
	done     chan struct{} // closed by stop
	exited   chan struct{} // closed when run returns
	last     uint64        // version last delivered; only run touches it
}

func (w *watcher) notify() {
	select {
	case w.signal <- struct{}{}:
	default: // a resolve is already due; it will read the newest state
	}
}

func (w *watcher) run() {
	defer close(w.exited)
	for {
		select {
		case <-w.done:
			return
		case <-w.signal:
		}
		// Resolve reads the SDK's cache; nothing to cancel.
		res, err := w.r.Resolve(context.Background(), w.service)
		if err != nil || res.Version == w.last {
			continue // a failed lookup keeps the last list; the next notification retries
		}
		select {
		case <-w.done:
			return
		default:
		}
		w.last = res.Version
		w.onChange(res)
	}
}

// versions hands out Result versions: a service keeps its version while its instance list stays the
// same and gets a new one from discovery.NewVersion when it changes.
type versions struct {
	mu   sync.Mutex
	last map[string]discovery.Result
}

func (v *versions) result(service string, instances []discovery.Instance) discovery.Result {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.last == nil {
		v.last = map[string]discovery.Result{}
	}
	cur, ok := v.last[service]
	if !ok || !discovery.SameInstances(cur.Instances, instances) {
		cur = discovery.Result{Service: service, Instances: instances, Version: discovery.NewVersion()}
		v.last[service] = cur
	}
	return cur
}

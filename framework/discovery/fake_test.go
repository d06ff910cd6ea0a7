package discovery_test

import (
	"context"
	"sync"

	"github.com/ternhq/tern/framework/discovery"
)

// fakeResolver serves a settable list or error and counts its calls. When gate is set, Resolve waits
// for it to be closed (or ctx to be done).
type fakeResolver struct {
	mu        sync.Mutex
	instances map[string][]discovery.Instance
	err       error
	calls     int
	gate      chan struct{}
}

func newFake() *fakeResolver { return &fakeResolver{instances: map[string][]discovery.Instance{}} }

func (f *fakeResolver) Name() string { return "fake" }

func (f *fakeResolver) Resolve(ctx context.Context, service string) (discovery.Result, error) {
	f.mu.Lock()
	f.calls++
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return discovery.Result{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return discovery.Result{}, f.err
	}
	return discovery.Result{Service: service, Instances: f.instances[service]}, nil
}

func (f *fakeResolver) set(service string, instances ...discovery.Instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.instances[service] = instances
}

func (f *fakeResolver) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeResolver) setGate(gate chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gate = gate
}

func (f *fakeResolver) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeWatcher is a fakeResolver that is also a Watcher; push delivers a list to the watchers of a
// service synchronously.
type fakeWatcher struct {
	*fakeResolver
	wmu      sync.Mutex
	watchers map[string]map[int]func(discovery.Result)
	next     int
	stops    int
	watchErr error
}

func newFakeWatcher() *fakeWatcher {
	return &fakeWatcher{fakeResolver: newFake(), watchers: map[string]map[int]func(discovery.Result){}}
}

func (f *fakeWatcher) Watch(_ context.Context, service string, onChange func(discovery.Result)) (func(), error) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if f.watchErr != nil {
		return nil, f.watchErr
	}
	if f.watchers[service] == nil {
		f.watchers[service] = map[int]func(discovery.Result){}
	}
	id := f.next
	f.next++
	f.watchers[service][id] = onChange
	var once sync.Once
	return func() {
		once.Do(func() {
			f.wmu.Lock()
			defer f.wmu.Unlock()
			delete(f.watchers[service], id)
			f.stops++
		})
	}, nil
}

func (f *fakeWatcher) push(service string, instances ...discovery.Instance) {
	f.set(service, instances...)
	f.wmu.Lock()
	var fns []func(discovery.Result)
	for _, fn := range f.watchers[service] {
		fns = append(fns, fn)
	}
	f.wmu.Unlock()
	for _, fn := range fns {
		fn(discovery.Result{Service: service, Instances: instances})
	}
}

// counts returns the number of live watches and of stopped ones.
func (f *fakeWatcher) counts() (live, stopped int) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	for _, m := range f.watchers {
		live += len(m)
	}
	return live, f.stops
}

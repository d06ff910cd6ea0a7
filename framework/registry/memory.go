package registry

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/ternhq/tern/framework/discovery"
)

// Memory is an in-process Registry that is also a discovery.Resolver and discovery.Watcher for the
// services registered in it. It is safe for concurrent use; the zero value is not usable, call
// NewMemory.
type Memory struct {
	mu           sync.Mutex
	services     map[string]*memService
	emptyVersion uint64 // the Version of every service with no instances and no watchers
}

var (
	_ Registry           = (*Memory)(nil)
	_ discovery.Resolver = (*Memory)(nil)
	_ discovery.Watcher  = (*Memory)(nil)
)

// memService is one service: its instances by address, the published snapshot, and its watchers.
type memService struct {
	instances map[string]discovery.Instance
	snapshot  discovery.Result // rebuilt on each change; its slice is never modified
	watchers  map[*memWatcher]struct{}
}

// NewMemory returns an empty in-memory registry.
func NewMemory() *Memory {
	return &Memory{services: map[string]*memService{}, emptyVersion: discovery.NewVersion()}
}

// Name returns "memory".
func (m *Memory) Name() string { return "memory" }

// Register adds or replaces info's instance and notifies the service's watchers.
func (m *Memory) Register(_ context.Context, info Info) error {
	if err := info.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.serviceLocked(info.ServiceName)
	in := info.Instance()
	if old, ok := s.instances[in.Address]; ok && old.Equal(in) {
		return nil
	}
	s.instances[in.Address] = in
	m.publishLocked(info.ServiceName, s)
	return nil
}

// Deregister removes info's instance, if registered, and notifies the service's watchers.
func (m *Memory) Deregister(_ context.Context, info Info) error {
	if err := info.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.services[info.ServiceName]
	if s == nil {
		return nil
	}
	if _, ok := s.instances[info.Address]; !ok {
		return nil
	}
	delete(s.instances, info.Address)
	m.publishLocked(info.ServiceName, s)
	m.dropIfUnusedLocked(info.ServiceName, s)
	return nil
}

// Resolve returns the registered instances of service, sorted by address. The Result is shared:
// treat it as read-only.
func (m *Memory) Resolve(_ context.Context, service string) (discovery.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.services[service]; s != nil {
		return s.snapshot, nil
	}
	return discovery.Result{Service: service, Version: m.emptyVersion}, nil
}

// Watch calls onChange with the current instances of service and then after each change, from a
// goroutine of its own, until stop is called or ctx is done. Changes that happen while onChange runs
// are coalesced: the next call gets the latest state.
func (m *Memory) Watch(ctx context.Context, service string, onChange func(discovery.Result)) (func(), error) {
	w := &memWatcher{
		onChange: onChange,
		signal:   make(chan struct{}, 1),
		done:     make(chan struct{}),
		exited:   make(chan struct{}),
	}
	m.mu.Lock()
	s := m.serviceLocked(service)
	s.watchers[w] = struct{}{}
	w.post(s.snapshot)
	m.mu.Unlock()

	go w.run()
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			close(w.done)
			<-w.exited
			m.mu.Lock()
			defer m.mu.Unlock()
			if s := m.services[service]; s != nil {
				delete(s.watchers, w)
				m.dropIfUnusedLocked(service, s)
			}
		})
	}
	unregister := context.AfterFunc(ctx, cancel)
	return func() { unregister(); cancel() }, nil
}

// serviceLocked returns service's entry, creating an empty one.
func (m *Memory) serviceLocked(service string) *memService {
	s := m.services[service]
	if s == nil {
		s = &memService{
			instances: map[string]discovery.Instance{},
			snapshot:  discovery.Result{Service: service, Version: m.emptyVersion},
			watchers:  map[*memWatcher]struct{}{},
		}
		m.services[service] = s
	}
	return s
}

// dropIfUnusedLocked forgets a service with no instances and no watchers, so the map does not grow.
func (m *Memory) dropIfUnusedLocked(service string, s *memService) {
	if len(s.instances) == 0 && len(s.watchers) == 0 {
		delete(m.services, service)
	}
}

// publishLocked rebuilds s's snapshot under a new version and posts it to the watchers.
func (m *Memory) publishLocked(service string, s *memService) {
	list := make([]discovery.Instance, 0, len(s.instances))
	for _, in := range s.instances {
		list = append(list, in)
	}
	slices.SortFunc(list, func(a, b discovery.Instance) int { return cmp.Compare(a.Address, b.Address) })
	version := discovery.NewVersion()
	if len(list) == 0 {
		version = m.emptyVersion
	}
	s.snapshot = discovery.Result{Service: service, Instances: list, Version: version}
	for w := range s.watchers {
		w.post(s.snapshot)
	}
}

// memWatcher delivers the latest snapshot of a service to one onChange, in order and never
// concurrently, without ever blocking the registry.
type memWatcher struct {
	onChange func(discovery.Result)
	mu       sync.Mutex
	pending  *discovery.Result // latest state not yet delivered
	signal   chan struct{}     // capacity 1: pending was set
	done     chan struct{}     // closed by stop
	exited   chan struct{}     // closed when run returns
}

func (w *memWatcher) post(r discovery.Result) {
	w.mu.Lock()
	w.pending = &r
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default: // a delivery is already due and will read the latest pending
	}
}

func (w *memWatcher) run() {
	defer close(w.exited)
	for {
		select {
		case <-w.done:
			return
		case <-w.signal:
		}
		w.mu.Lock()
		r := w.pending
		w.pending = nil
		w.mu.Unlock()
		if r != nil {
			w.onChange(*r)
		}
	}
}

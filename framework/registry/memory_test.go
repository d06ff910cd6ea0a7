package registry_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func addrs(r discovery.Result) []string {
	out := make([]string, len(r.Instances))
	for i, in := range r.Instances {
		out[i] = in.Address
	}
	return out
}

func TestInfoValidate(t *testing.T) {
	tests := []struct {
		name string
		info registry.Info
		ok   bool
	}{
		{"complete", registry.Info{ServiceName: "echo", Address: "a:1"}, true},
		{"no service", registry.Info{Address: "a:1"}, false},
		{"no address", registry.Info{ServiceName: "echo"}, false},
	}
	m := registry.NewMemory()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for op, fn := range map[string]func(context.Context, registry.Info) error{
				"Validate":   func(_ context.Context, i registry.Info) error { return i.Validate() },
				"Register":   m.Register,
				"Deregister": m.Deregister,
			} {
				err := fn(testCtx(t), tt.info)
				if tt.ok && err != nil {
					t.Errorf("%s: %v", op, err)
				}
				if !tt.ok && rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
					t.Errorf("%s = %v, want invalid_argument", op, err)
				}
			}
		})
	}
}

func TestMemoryRegisterResolve(t *testing.T) {
	ctx := testCtx(t)
	m := registry.NewMemory()
	resolve := func() discovery.Result {
		t.Helper()
		r, err := m.Resolve(ctx, "echo")
		if err != nil {
			t.Fatal(err)
		}
		if r.Service != "echo" || r.Version == 0 {
			t.Fatalf("Resolve = %+v", r)
		}
		return r
	}
	empty := resolve()
	if len(empty.Instances) != 0 {
		t.Fatalf("unknown service resolves to %v", empty.Instances)
	}

	tags := map[string]string{"zone": "eu"}
	steps := []struct {
		name    string
		op      func(context.Context, registry.Info) error
		info    registry.Info
		want    []string
		changed bool
	}{
		{"register b", m.Register, registry.Info{ServiceName: "echo", Address: "b:1"}, []string{"b:1"}, true},
		{"register a", m.Register, registry.Info{ServiceName: "echo", Address: "a:1", Tags: tags}, []string{"a:1", "b:1"}, true},
		{"register a again", m.Register, registry.Info{ServiceName: "echo", Address: "a:1", Tags: tags}, []string{"a:1", "b:1"}, false},
		{"reweight a", m.Register, registry.Info{ServiceName: "echo", Address: "a:1", Weight: 30, Tags: tags}, []string{"a:1", "b:1"}, true},
		{"other service", m.Register, registry.Info{ServiceName: "other", Address: "c:1"}, []string{"a:1", "b:1"}, false},
		{"deregister unknown", m.Deregister, registry.Info{ServiceName: "echo", Address: "z:1"}, []string{"a:1", "b:1"}, false},
		{"deregister b", m.Deregister, registry.Info{ServiceName: "echo", Address: "b:1"}, []string{"a:1"}, true},
		{"deregister a", m.Deregister, registry.Info{ServiceName: "echo", Address: "a:1"}, []string{}, true},
	}
	prev := empty
	for _, st := range steps {
		if err := st.op(ctx, st.info); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := resolve()
		if fmt.Sprint(addrs(got)) != fmt.Sprint(st.want) {
			t.Errorf("%s: instances %v, want %v", st.name, addrs(got), st.want)
		}
		if changed := got.Version != prev.Version; changed != st.changed {
			t.Errorf("%s: version changed = %v, want %v", st.name, changed, st.changed)
		}
		prev = got
	}
	tags["zone"] = "us"
	must(t, m.Register(ctx, registry.Info{ServiceName: "echo", Address: "a:1", Tags: map[string]string{"zone": "eu"}}))
	if z, _ := resolve().Instances[0].Tag("zone"); z != "eu" {
		t.Errorf("registry shares the caller's Tags map: zone = %q", z)
	}
}

// recorder collects the Results a watch delivers.
type recorder struct {
	mu  sync.Mutex
	got [][]string
}

func (r *recorder) onChange(res discovery.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, addrs(res))
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.got)
}

func TestMemoryWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testCtx(t)
		m := registry.NewMemory()
		must(t, m.Register(ctx, registry.Info{ServiceName: "echo", Address: "a:1"}))
		var rec recorder
		stop, err := m.Watch(ctx, "echo", rec.onChange)
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		must(t, m.Register(ctx, registry.Info{ServiceName: "echo", Address: "b:1"}))
		synctest.Wait()
		must(t, m.Register(ctx, registry.Info{ServiceName: "other", Address: "c:1"}))
		must(t, m.Deregister(ctx, registry.Info{ServiceName: "echo", Address: "a:1"}))
		synctest.Wait()
		stop()
		stop() // idempotent
		must(t, m.Register(ctx, registry.Info{ServiceName: "echo", Address: "d:1"}))
		synctest.Wait()
		if got, want := rec.String(), "[[a:1] [a:1 b:1] [b:1]]"; got != want {
			t.Errorf("watch saw %s, want %s", got, want)
		}
	})
}

func TestMemoryWatchStopsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := registry.NewMemory()
		ctx, cancel := context.WithCancel(testCtx(t))
		var rec recorder
		if _, err := m.Watch(ctx, "echo", rec.onChange); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		cancel()
		synctest.Wait()
		must(t, m.Register(testCtx(t), registry.Info{ServiceName: "echo", Address: "a:1"}))
		synctest.Wait()
		if got, want := rec.String(), "[[]]"; got != want {
			t.Errorf("watch saw %s, want %s (nothing after cancel)", got, want)
		}
	})
}

func TestMemoryWatchCoalesces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testCtx(t)
		m := registry.NewMemory()
		release := make(chan struct{})
		var rec recorder
		stop, _ := m.Watch(ctx, "echo", func(r discovery.Result) {
			<-release // a slow subscriber
			rec.onChange(r)
		})
		defer stop()
		synctest.Wait() // blocked delivering the initial empty state
		for i := range 5 {
			must(t, m.Register(ctx, registry.Info{ServiceName: "echo", Address: fmt.Sprint("a:", i)}))
		}
		close(release)
		synctest.Wait()
		if got, want := rec.String(), "[[] [a:0 a:1 a:2 a:3 a:4]]"; got != want {
			t.Errorf("watch saw %s, want %s", got, want)
		}
	})
}

func TestMemoryConcurrent(t *testing.T) {
	ctx := testCtx(t)
	m := registry.NewMemory()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				info := registry.Info{ServiceName: fmt.Sprint("svc", i%3), Address: fmt.Sprint(g, ":", i%7)}
				if err := m.Register(ctx, info); err != nil {
					t.Error(err)
				}
				if _, err := m.Resolve(ctx, info.ServiceName); err != nil {
					t.Error(err)
				}
				if i%2 == 0 {
					if err := m.Deregister(ctx, info); err != nil {
						t.Error(err)
					}
				}
			}
		})
		wg.Go(func() {
			for i := range 50 {
				stop, err := m.Watch(ctx, fmt.Sprint("svc", i%3), func(discovery.Result) {})
				if err != nil {
					t.Error(err)
					return
				}
				time.Sleep(10 * time.Microsecond)
				stop()
			}
		})
	}
	wg.Wait()
}

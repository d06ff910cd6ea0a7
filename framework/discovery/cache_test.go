package discovery_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ternhq/tern/framework/discovery"
)

func inst(addr string) discovery.Instance { return discovery.Instance{Address: addr} }

// testCtx returns a context with a deadline; inside a synctest bubble the deadline is on fake time.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustGet(t *testing.T, c *discovery.Cache, service string) discovery.Result {
	t.Helper()
	res, err := c.Get(testCtx(t), service)
	if err != nil {
		t.Fatalf("Get(%q): %v", service, err)
	}
	return res
}

func cfg(refresh, expire time.Duration) discovery.CacheConfig {
	return discovery.CacheConfig{RefreshInterval: refresh, ExpireAfter: expire}
}

func TestCacheConfigDefaults(t *testing.T) {
	def := discovery.DefaultCacheConfig()
	if def.RefreshInterval != 5*time.Second || def.ExpireAfter != 2*time.Minute || def.ResolveTimeout <= 0 {
		t.Errorf("DefaultCacheConfig() = %+v", def)
	}
}

func TestCacheFirstGetResolvesThenCaches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFake()
		r.set("echo", inst("b:1"), inst("a:1"))
		c := discovery.NewCache(r, cfg(time.Second, time.Minute))
		defer c.Close()

		first := mustGet(t, c, "echo")
		if first.Service != "echo" || first.Version == 0 {
			t.Errorf("first Get = %+v", first)
		}
		if got := first.Instances; len(got) != 2 || got[0].Address != "a:1" || got[1].Address != "b:1" {
			t.Errorf("instances = %v, want sorted a:1 b:1", got)
		}
		for range 10 {
			if again := mustGet(t, c, "echo"); again.Version != first.Version {
				t.Fatalf("Version changed from %d to %d without a change", first.Version, again.Version)
			}
		}
		if n := r.callCount(); n != 1 {
			t.Errorf("Resolve called %d times, want 1", n)
		}
		if c.Name() != "cache(fake)" {
			t.Errorf("Name() = %q", c.Name())
		}
	})
}

func TestCacheRefreshVersion(t *testing.T) {
	a := discovery.Instance{Address: "a:1", Weight: 10, Tags: map[string]string{"zone": "eu"}}
	b := inst("b:1")
	tests := []struct {
		name    string
		next    []discovery.Instance
		changed bool
	}{
		{"same", []discovery.Instance{a, b}, false},
		{"reordered", []discovery.Instance{b, a}, false},
		{"default weight implicit", []discovery.Instance{{Address: "a:1", Tags: map[string]string{"zone": "eu"}}, b}, false},
		{"added", []discovery.Instance{a, b, inst("c:1")}, true},
		{"removed", []discovery.Instance{a}, true},
		{"weight", []discovery.Instance{{Address: "a:1", Weight: 20, Tags: a.Tags}, b}, true},
		{"tag", []discovery.Instance{{Address: "a:1", Tags: map[string]string{"zone": "us"}}, b}, true},
		{"emptied", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newFake()
				r.set("echo", a, b)
				c := discovery.NewCache(r, cfg(time.Second, time.Minute))
				defer c.Close()
				before := mustGet(t, c, "echo")

				r.set("echo", tt.next...)
				time.Sleep(1500 * time.Millisecond)
				synctest.Wait()
				after := mustGet(t, c, "echo")

				if changed := after.Version != before.Version; changed != tt.changed {
					t.Errorf("version changed = %v, want %v", changed, tt.changed)
				}
				if !discovery.SameInstances(after.Instances, tt.next) {
					t.Errorf("instances = %v, want %v", after.Instances, tt.next)
				}
				if want := map[bool]uint64{false: 0, true: 1}[tt.changed]; c.Stats().Changes != want {
					t.Errorf("Stats().Changes = %d, want %d", c.Stats().Changes, want)
				}
			})
		})
	}
}

func TestCacheRefreshErrorKeepsLastGood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFake()
		r.set("echo", inst("a:1"))
		c := discovery.NewCache(r, cfg(time.Second, time.Minute))
		defer c.Close()
		good := mustGet(t, c, "echo")

		outage := errors.New("registry down")
		r.setErr(outage)
		time.Sleep(3500 * time.Millisecond) // three failed refreshes
		synctest.Wait()
		got := mustGet(t, c, "echo")
		if got.Version != good.Version || len(got.Instances) != 1 {
			t.Errorf("during the outage Get = %+v, want the last good %+v", got, good)
		}
		if err := c.LastError("echo"); !errors.Is(err, outage) {
			t.Errorf("LastError = %v, want %v", err, outage)
		}
		if s := c.Stats(); s.Errors != 3 || s.Resolves != 4 {
			t.Errorf("Stats() = %+v, want 3 errors in 4 resolves", s)
		}

		r.setErr(nil)
		time.Sleep(time.Second)
		synctest.Wait()
		if err := c.LastError("echo"); err != nil {
			t.Errorf("LastError after recovery = %v", err)
		}
		if c.LastError("unknown") != nil {
			t.Error("LastError of an uncached service is not nil")
		}
	})
}

func TestCacheFirstErrorNotCached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFake()
		boom := errors.New("boom")
		r.setErr(boom)
		c := discovery.NewCache(r, cfg(time.Second, time.Minute))
		defer c.Close()
		if _, err := c.Get(testCtx(t), "echo"); !errors.Is(err, boom) {
			t.Fatalf("Get error = %v, want %v", err, boom)
		}
		if n := c.Stats().Services; n != 0 {
			t.Errorf("%d services cached after a failed first Get", n)
		}
		r.setErr(nil)
		r.set("echo", inst("a:1"))
		if res := mustGet(t, c, "echo"); len(res.Instances) != 1 {
			t.Errorf("Get after recovery = %+v", res)
		}
	})
}

func TestCacheWatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFakeWatcher()
		r.set("echo", inst("a:1"))
		c := discovery.NewCache(r, cfg(time.Hour, -1))
		defer c.Close()
		first := mustGet(t, c, "echo")

		r.push("echo", inst("a:1"), inst("b:1"))
		got := mustGet(t, c, "echo")
		if got.Version == first.Version || len(got.Instances) != 2 {
			t.Errorf("after push Get = %+v", got)
		}
		r.push("echo", inst("b:1"), inst("a:1")) // same set
		if again := mustGet(t, c, "echo"); again.Version != got.Version {
			t.Error("Version changed on a push of the same instances")
		}
		if n := r.callCount(); n != 1 {
			t.Errorf("Resolve called %d times, want 1 (changes came by Watch)", n)
		}
	})
}

func TestCacheWatchErrorFallsBackToPolling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFakeWatcher()
		r.watchErr = errors.New("no watch today")
		r.set("echo", inst("a:1"))
		c := discovery.NewCache(r, cfg(time.Second, -1))
		defer c.Close()
		mustGet(t, c, "echo")
		if c.LastError("echo") == nil || c.Stats().Errors != 1 {
			t.Errorf("watch error not recorded: %v, %+v", c.LastError("echo"), c.Stats())
		}
		r.set("echo", inst("b:1"))
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		if res := mustGet(t, c, "echo"); res.Instances[0].Address != "b:1" {
			t.Errorf("polling did not pick up the change: %v", res.Instances)
		}
	})
}

func TestCacheExpire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFakeWatcher()
		r.set("idle", inst("a:1"))
		r.set("busy", inst("b:1"))
		c := discovery.NewCache(r, cfg(time.Second, 3*time.Second))
		defer c.Close()
		mustGet(t, c, "idle")
		for range 10 {
			mustGet(t, c, "busy")
			time.Sleep(500 * time.Millisecond)
		}
		synctest.Wait()
		if n := c.Stats().Services; n != 1 {
			t.Errorf("%d services cached, want only busy", n)
		}
		if live, stopped := r.counts(); live != 1 || stopped != 1 {
			t.Errorf("watches: %d live, %d stopped; want 1, 1", live, stopped)
		}
		calls := r.callCount()
		mustGet(t, c, "idle")
		if r.callCount() != calls+1 {
			t.Error("Get of an expired service did not resolve it again")
		}
	})
}

func TestCacheCloseStopsEverything(t *testing.T) {
	// synctest.Test fails if any goroutine the cache started is still there when the function returns.
	synctest.Test(t, func(t *testing.T) {
		r := newFakeWatcher()
		c := discovery.NewCache(r, cfg(time.Second, time.Minute))
		for i := range 5 {
			s := fmt.Sprint("svc", i)
			r.set(s, inst("a:1"))
			mustGet(t, c, s)
		}
		time.Sleep(2500 * time.Millisecond)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal("second Close:", err)
		}
		if live, stopped := r.counts(); live != 0 || stopped != 5 {
			t.Errorf("watches after Close: %d live, %d stopped; want 0, 5", live, stopped)
		}
		calls := r.callCount()
		time.Sleep(10 * time.Second)
		if r.callCount() != calls {
			t.Error("Resolve called after Close")
		}
		if _, err := c.Get(testCtx(t), "svc0"); !errors.Is(err, discovery.ErrClosed) {
			t.Errorf("Get after Close = %v, want ErrClosed", err)
		}
	})
}

func TestCacheCloseDuringFirstGet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFakeWatcher()
		r.set("echo", inst("a:1"))
		gate := make(chan struct{})
		r.setGate(gate)
		c := discovery.NewCache(r, cfg(time.Second, time.Minute))
		done := make(chan error)
		go func() {
			_, err := c.Get(testCtx(t), "echo")
			done <- err
		}()
		synctest.Wait() // Get is waiting in Resolve
		c.Close()
		close(gate)
		if err := <-done; !errors.Is(err, discovery.ErrClosed) {
			t.Errorf("Get = %v, want ErrClosed", err)
		}
		if live, _ := r.counts(); live != 0 {
			t.Errorf("%d watches left after Close", live)
		}
	})
}

func TestCacheConcurrentFirstGet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFake()
		r.set("echo", inst("a:1"))
		gate := make(chan struct{})
		r.setGate(gate)
		c := discovery.NewCache(r, cfg(time.Second, time.Minute))
		defer c.Close()

		var wg sync.WaitGroup
		versions := make([]uint64, 10)
		for i := range versions {
			wg.Go(func() {
				res, err := c.Get(testCtx(t), "echo")
				if err != nil {
					t.Error(err)
				}
				versions[i] = res.Version
			})
		}
		synctest.Wait()
		r.setGate(nil)
		close(gate)
		wg.Wait()
		if n := r.callCount(); n != 1 {
			t.Errorf("Resolve called %d times for 10 concurrent first Gets, want 1", n)
		}
		for _, v := range versions {
			if v == 0 || v != versions[0] {
				t.Fatalf("versions = %v, want all equal and non-zero", versions)
			}
		}
	})
}

func TestCacheWaiterDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFake()
		gate := make(chan struct{})
		r.setGate(gate)
		c := discovery.NewCache(r, cfg(time.Second, time.Minute))
		defer c.Close()
		go c.Get(testCtx(t), "echo") //nolint:errcheck // the slow first caller
		synctest.Wait()

		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if _, err := c.Get(ctx, "echo"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("waiting Get = %v, want DeadlineExceeded", err)
		}
		close(gate)
	})
}

func TestCacheWaiterRetriesWhenFirstCallerGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newFake()
		r.set("echo", inst("a:1"))
		gate := make(chan struct{})
		r.setGate(gate)
		c := discovery.NewCache(r, cfg(time.Second, time.Minute))
		defer c.Close()

		impatient, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		go c.Get(impatient, "echo") //nolint:errcheck // gives up after 100ms
		synctest.Wait()
		done := make(chan error)
		go func() {
			_, err := c.Get(testCtx(t), "echo")
			done <- err
		}()
		time.Sleep(200 * time.Millisecond) // the first caller gives up; the waiter resolves itself
		r.setGate(nil)
		close(gate)
		if err := <-done; err != nil {
			t.Errorf("waiting Get = %v, want success", err)
		}
	})
}

func TestCacheGetDoesNotAllocate(t *testing.T) {
	r := newFake()
	r.set("echo", inst("a:1"), inst("b:1"))
	c := discovery.NewCache(r, discovery.DefaultCacheConfig())
	defer c.Close()
	ctx := testCtx(t)
	mustGet(t, c, "echo")
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := c.Get(ctx, "echo"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Get of a cached service allocates %.1f times", allocs)
	}
}

func TestCacheConcurrent(t *testing.T) {
	r := newFakeWatcher()
	for i := range 4 {
		r.set(fmt.Sprint("svc", i), inst("a:1"))
	}
	c := discovery.NewCache(r, cfg(time.Millisecond, 5*time.Millisecond))
	ctx := testCtx(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				s := fmt.Sprint("svc", (g+i)%4)
				res, err := c.Get(ctx, s)
				if err != nil {
					t.Error(err)
					return
				}
				if res.Service != s || len(res.Instances) == 0 {
					t.Errorf("Get(%q) = %+v", s, res)
					return
				}
				if i%50 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 200 {
			s := fmt.Sprint("svc", i%4)
			if i%2 == 0 {
				r.push(s, inst("a:1"), inst(fmt.Sprint("b:", i)))
			} else {
				r.set(s, inst(fmt.Sprint("c:", i)))
			}
			time.Sleep(100 * time.Microsecond)
		}
	})
	wg.Wait()
	c.Close()
	if live, _ := r.counts(); live != 0 {
		t.Errorf("%d watches left after Close", live)
	}
}

func BenchmarkCacheGet(b *testing.B) {
	r := newFake()
	r.set("echo", inst("a:1"), inst("b:1"), inst("c:1"))
	c := discovery.NewCache(r, discovery.DefaultCacheConfig())
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Get(ctx, "echo"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Get(ctx, "echo") //nolint:errcheck
		}
	})
}

package inventory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/app/stock/internal/inventory"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/rpcerr"
	"gorm.io/gorm"
)

// databases are the engines every test runs on: SQLite as in local runs, MariaDB as in production.
var databases = []struct {
	name string
	open func(t *testing.T) *gorm.DB
}{
	{"sqlite", func(t *testing.T) *gorm.DB { return platformtest.SQLite(t) }},
	{"mariadb", func(t *testing.T) *gorm.DB { return platformtest.MySQL(t) }},
}

// forEachDB runs test on a fresh, migrated store of each engine.
func forEachDB(t *testing.T, test func(t *testing.T, ctx context.Context, s *inventory.Store)) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			ctx := platformtest.Context(t, time.Minute)
			s := inventory.New(db.open(t))
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			test(t, ctx, s)
		})
	}
}

// levels sets the given levels and fails the test on error.
func levels(t *testing.T, ctx context.Context, s *inventory.Store, byID map[int64]int64) {
	t.Helper()
	for id, n := range byID {
		if _, err := s.Set(ctx, id, n); err != nil {
			t.Fatal(err)
		}
	}
}

// available returns the level of each id.
func available(t *testing.T, ctx context.Context, s *inventory.Store, ids ...int64) []int64 {
	t.Helper()
	ls, err := s.Get(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int64, len(ls))
	for i, l := range ls {
		out[i] = l.Available
	}
	return out
}

func TestDeductAndRelease(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, s *inventory.Store) {
		levels(t, ctx, s, map[int64]int64{1: 10, 2: 3})
		steps := []struct {
			name   string
			run    func() (any, error)
			want   any
			levels [2]int64
		}{
			{"deduct", func() (any, error) {
				return s.Deduct(ctx, "o1", []inventory.Line{{1, 4}, {2, 1}})
			}, inventory.DeductResult{OK: true}, [2]int64{6, 2}},
			{"same order again deducts nothing", func() (any, error) {
				return s.Deduct(ctx, "o1", []inventory.Line{{1, 4}, {2, 1}})
			}, inventory.DeductResult{OK: true, Duplicate: true}, [2]int64{6, 2}},
			{"short line: nothing deducted", func() (any, error) {
				return s.Deduct(ctx, "o2", []inventory.Line{{1, 1}, {2, 5}, {3, 1}})
			}, inventory.DeductResult{Shortages: []inventory.Shortage{{2, 5, 2}, {3, 1, 0}}}, [2]int64{6, 2}},
			{"short order id may be tried again", func() (any, error) {
				return s.Deduct(ctx, "o2", []inventory.Line{{2, 2}})
			}, inventory.DeductResult{OK: true}, [2]int64{6, 0}},
			{"release gives back", func() (any, error) { return s.Release(ctx, "o1") }, true, [2]int64{10, 1}},
			{"second release gives nothing", func() (any, error) { return s.Release(ctx, "o1") }, false, [2]int64{10, 1}},
			{"released order cannot deduct", func() (any, error) {
				return s.Deduct(ctx, "o1", []inventory.Line{{1, 1}})
			}, inventory.DeductResult{Released: true}, [2]int64{10, 1}},
			{"release of an unknown order", func() (any, error) { return s.Release(ctx, "o3") }, false, [2]int64{10, 1}},
			{"late deduction of a released order", func() (any, error) {
				return s.Deduct(ctx, "o3", []inventory.Line{{1, 1}})
			}, inventory.DeductResult{Released: true}, [2]int64{10, 1}},
		}
		for _, st := range steps {
			got, err := st.run()
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(st.want) {
				t.Fatalf("%s: got %+v, want %+v", st.name, got, st.want)
			}
			if lv := available(t, ctx, s, 1, 2); [2]int64(lv) != st.levels {
				t.Fatalf("%s: levels %v, want %v", st.name, lv, st.levels)
			}
		}
	})
}

func TestInvalidRequests(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, s *inventory.Store) {
		long := string(make([]byte, inventory.MaxOrderIDLen+1))
		cases := []struct {
			name  string
			id    string
			lines []inventory.Line
		}{
			{"empty order id", "", []inventory.Line{{1, 1}}},
			{"long order id", long, []inventory.Line{{1, 1}}},
			{"no lines", "o", nil},
			{"zero quantity", "o", []inventory.Line{{1, 0}}},
			{"negative quantity", "o", []inventory.Line{{1, -5}}},
			{"bad item id", "o", []inventory.Line{{0, 1}}},
			{"repeated item", "o", []inventory.Line{{1, 1}, {1, 1}}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := s.Deduct(ctx, tc.id, tc.lines); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
					t.Fatalf("Deduct = %v, want InvalidArgument", err)
				}
			})
		}
		if _, err := s.Set(ctx, 1, -1); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
			t.Errorf("Set negative = %v", err)
		}
		if _, err := s.Release(ctx, ""); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
			t.Errorf("Release empty = %v", err)
		}
	})
}

// 200 concurrent orders of one unit each against a level of 50: exactly 50 succeed and the level ends at
// zero; concurrent multi-item orders in opposite orders do not deadlock.
func TestConcurrentDeductions(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, s *inventory.Store) {
		levels(t, ctx, s, map[int64]int64{1: 50, 2: 1000, 3: 1000})
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			ok     int
			failed []error
		)
		for i := range 200 {
			wg.Go(func() {
				lines := []inventory.Line{{1, 1}, {2, 1}, {3, 1}}
				if i%2 == 1 {
					lines = []inventory.Line{{3, 1}, {2, 1}, {1, 1}}
				}
				res, err := s.Deduct(ctx, fmt.Sprintf("order-%d", i), lines)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					failed = append(failed, err)
				case res.OK:
					ok++
				case len(res.Shortages) != 1 || res.Shortages[0].ItemID != 1:
					failed = append(failed, fmt.Errorf("order %d: %+v", i, res))
				}
			})
		}
		wg.Wait()
		if len(failed) > 0 {
			t.Fatalf("%d errors, first %v", len(failed), failed[0])
		}
		if lv := available(t, ctx, s, 1, 2, 3); ok != 50 || lv[0] != 0 || lv[1] != 950 || lv[2] != 950 {
			t.Fatalf("%d orders succeeded, levels %v; want 50 and [0 950 950]", ok, lv)
		}
	})
}

// Concurrent releases of one order give its units back once.
func TestConcurrentReleases(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, s *inventory.Store) {
		levels(t, ctx, s, map[int64]int64{1: 10})
		if res, err := s.Deduct(ctx, "o", []inventory.Line{{1, 4}}); err != nil || !res.OK {
			t.Fatalf("Deduct = %+v, %v", res, err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		gave := 0
		for range 20 {
			wg.Go(func() {
				released, err := s.Release(ctx, "o")
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				if released {
					gave++
				}
			})
		}
		wg.Wait()
		if lv := available(t, ctx, s, 1); gave != 1 || lv[0] != 10 {
			t.Fatalf("%d releases gave back, level %d; want 1 and 10", gave, lv[0])
		}
	})
}

func TestSeedIfEmpty(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, s *inventory.Store) {
		for i, want := range []bool{true, false} {
			seeded, err := s.SeedIfEmpty(ctx, []int64{1, 2}, 7)
			if err != nil || seeded != want {
				t.Fatalf("call %d: SeedIfEmpty = %v, %v; want %v", i, seeded, err, want)
			}
		}
		if lv := available(t, ctx, s, 1, 2, 3); lv[0] != 7 || lv[1] != 7 || lv[2] != 0 {
			t.Fatalf("levels %v", lv)
		}
	})
}

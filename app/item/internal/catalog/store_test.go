package catalog_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/app/item/internal/catalog"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/rpcerr"
	"gorm.io/gorm"
)

var databases = []struct {
	name string
	open func(t *testing.T) *gorm.DB
}{
	{"sqlite", func(t *testing.T) *gorm.DB { return platformtest.SQLite(t) }},
	{"mariadb", func(t *testing.T) *gorm.DB { return platformtest.MySQL(t) }},
}

// forEachDB runs test on a fresh, migrated and seeded store of each engine.
func forEachDB(t *testing.T, test func(t *testing.T, ctx context.Context, s *catalog.Store)) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			ctx := platformtest.Context(t, time.Minute)
			s := catalog.NewStore(db.open(t))
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if seeded, err := s.SeedDemo(ctx); err != nil || !seeded {
				t.Fatalf("SeedDemo = %v, %v", seeded, err)
			}
			test(t, ctx, s)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestSeedAndGet(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, s *catalog.Store) {
		if seeded, err := s.SeedDemo(ctx); err != nil || seeded {
			t.Fatalf("second SeedDemo = %v, %v; want false", seeded, err)
		}
		for id := int64(1); id <= int64(catalog.DemoSize); id++ {
			if it, err := s.Get(ctx, id); err != nil || it.ID != id || it.Title == "" || it.PriceCents <= 0 {
				t.Fatalf("Get(%d) = %+v, %v", id, it, err)
			}
		}
		if _, err := s.Get(ctx, 999); rpcerr.CodeOf(err) != rpcerr.CodeNotFound {
			t.Fatalf("Get(999) = %v, want NotFound", err)
		}
	})
}

func TestCreateAndUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, s *catalog.Store) {
		it, err := s.Create(ctx, catalog.Item{ID: 5, Title: "Kettle", Description: "1 l", PriceCents: 4200})
		if err != nil || it.ID <= int64(catalog.DemoSize) {
			t.Fatalf("Create = %+v, %v (the id given must be ignored)", it, err)
		}
		up, err := s.Update(ctx, it.ID, catalog.Patch{PriceCents: ptr[int64](3900)})
		if err != nil || up.PriceCents != 3900 || up.Title != "Kettle" || up.Description != "1 l" {
			t.Fatalf("Update = %+v, %v", up, err)
		}
		got, err := s.Get(ctx, it.ID)
		if err != nil || got.PriceCents != 3900 {
			t.Fatalf("Get after Update = %+v, %v", got, err)
		}
		cases := []struct {
			name string
			id   int64
			p    catalog.Patch
			code rpcerr.Code
		}{
			{"unknown id", 999, catalog.Patch{Title: ptr("x")}, rpcerr.CodeNotFound},
			{"empty title", it.ID, catalog.Patch{Title: ptr("  ")}, rpcerr.CodeInvalidArgument},
			{"long title", it.ID, catalog.Patch{Title: ptr(strings.Repeat("x", catalog.MaxTitleLen+1))}, rpcerr.CodeInvalidArgument},
			{"negative price", it.ID, catalog.Patch{PriceCents: ptr[int64](-1)}, rpcerr.CodeInvalidArgument},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := s.Update(ctx, tc.id, tc.p); rpcerr.CodeOf(err) != tc.code {
					t.Fatalf("Update = %v, want %v", err, tc.code)
				}
			})
		}
		if got, _ := s.Get(ctx, it.ID); got.PriceCents != 3900 || got.Title != "Kettle" {
			t.Fatalf("a failed update changed the item: %+v", got)
		}
		if _, err := s.Create(ctx, catalog.Item{Title: ""}); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
			t.Fatalf("Create without title = %v", err)
		}
	})
}

func TestList(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, s *catalog.Store) {
		if _, err := s.Create(ctx, catalog.Item{Title: "100% wool_socks", PriceCents: 1}); err != nil {
			t.Fatal(err)
		}
		n := int64(catalog.DemoSize + 1)
		cases := []struct {
			name               string
			page, size         int
			query              string
			wantIDs            []int64
			wantTotal          int64
			wantPage, wantSize int
		}{
			{"defaults", 0, 0, "", nil, n, 1, catalog.DefaultPageSize},
			{"second page", 2, 5, "", []int64{6, 7, 8, 9, 10}, n, 2, 5},
			{"past the end", 9, 5, "", []int64{}, n, 9, 5},
			{"title search ignores case", 1, 10, "MUG", []int64{2}, 1, 1, 10},
			{"wildcards are literal", 1, 10, "100%", []int64{n}, 1, 1, 10},
			{"underscore is literal", 1, 10, "l_s", []int64{n}, 1, 1, 10},
			{"no match", 1, 10, "zeppelin", []int64{}, 0, 1, 10},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p, err := s.List(ctx, tc.page, tc.size, tc.query)
				if err != nil {
					t.Fatal(err)
				}
				if p.Total != tc.wantTotal || p.Page != tc.wantPage || p.PageSize != tc.wantSize {
					t.Fatalf("page %d size %d total %d; want %d %d %d", p.Page, p.PageSize, p.Total, tc.wantPage, tc.wantSize, tc.wantTotal)
				}
				if tc.wantIDs == nil {
					if len(p.Items) != int(min(n, int64(catalog.DefaultPageSize))) {
						t.Fatalf("%d items", len(p.Items))
					}
					return
				}
				if got := ids(p.Items); !slices.Equal(got, tc.wantIDs) {
					t.Fatalf("ids %v, want %v", got, tc.wantIDs)
				}
			})
		}
		for _, bad := range [][2]int{{-1, 10}, {1, -1}, {1, catalog.MaxPageSize + 1}} {
			if _, err := s.List(ctx, bad[0], bad[1], ""); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
				t.Errorf("List(%d, %d) = %v, want InvalidArgument", bad[0], bad[1], err)
			}
		}
	})
}

func TestBatchGet(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, s *catalog.Store) {
		got, err := s.BatchGet(ctx, []int64{3, 999, 1, 3})
		if err != nil || !slices.Equal(ids(got), []int64{3, 1}) {
			t.Fatalf("BatchGet = %v, %v; want items 3 and 1", ids(got), err)
		}
		if _, err := s.BatchGet(ctx, make([]int64, catalog.MaxBatch+1)); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
			t.Fatalf("oversized BatchGet = %v", err)
		}
	})
}

func ids(items []catalog.Item) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

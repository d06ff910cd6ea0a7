package catalog_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ternhq/tern/app/item/internal/catalog"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"github.com/ternhq/tern/framework/rpcerr"
)

// newCache returns a cache on a seeded SQLite store and the real test Redis, under a key prefix of the
// test's own.
func newCache(t *testing.T, ctx context.Context) (*catalog.Cache, *catalog.Store, *redis.Client, string) {
	t.Helper()
	store := catalog.NewStore(platformtest.SQLite(t))
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	rdb, prefix := platformtest.Redis(t)
	c := catalog.NewCache(store, rdb, catalog.CacheConfig{Prefix: prefix, TTL: time.Minute, MissTTL: time.Minute},
		slog.New(slog.DiscardHandler))
	return c, store, rdb, prefix
}

// cached returns the cached entry of key, "" when there is none.
func cached(t *testing.T, ctx context.Context, rdb *redis.Client, key string) string {
	t.Helper()
	v, err := rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCacheAside(t *testing.T) {
	ctx := platformtest.Context(t, 30*time.Second)
	c, store, rdb, prefix := newCache(t, ctx)

	it, err := c.Get(ctx, 1)
	if err != nil || it.ID != 1 {
		t.Fatalf("Get = %+v, %v", it, err)
	}
	var entry catalog.Item
	if err := json.Unmarshal([]byte(cached(t, ctx, rdb, prefix+"1")), &entry); err != nil || entry.Title != it.Title {
		t.Fatalf("cache entry after a miss: %+v, %v", entry, err)
	}

	// A change behind the cache's back is not seen: reads are served from Redis.
	if _, err := store.Update(ctx, 1, catalog.Patch{Title: ptr("Changed behind the cache")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get(ctx, 1); got.Title != it.Title {
		t.Fatalf("Get = %q, want the cached %q", got.Title, it.Title)
	}

	// An update through the cache invalidates: the next read sees it.
	if _, err := c.Update(ctx, 1, catalog.Patch{PriceCents: ptr[int64](1)}); err != nil {
		t.Fatal(err)
	}
	if v := cached(t, ctx, rdb, prefix+"1"); v != "" {
		t.Fatalf("entry after Update: %q, want none", v)
	}
	if got, _ := c.Get(ctx, 1); got.PriceCents != 1 || got.Title != "Changed behind the cache" {
		t.Fatalf("Get after Update = %+v", got)
	}
}

func TestCacheRemembersUnknownIDs(t *testing.T) {
	ctx := platformtest.Context(t, 30*time.Second)
	c, _, rdb, prefix := newCache(t, ctx)
	next := int64(catalog.DemoSize + 1)
	if _, err := c.Get(ctx, next); rpcerr.CodeOf(err) != rpcerr.CodeNotFound {
		t.Fatalf("Get unknown = %v", err)
	}
	if v := cached(t, ctx, rdb, prefix+strconv.FormatInt(next, 10)); v == "" {
		t.Fatal("unknown id not remembered")
	}
	created, err := c.Create(ctx, catalog.Item{Title: "New", PriceCents: 5})
	if err != nil || created.ID != next {
		t.Fatalf("Create = %+v, %v; want id %d", created, err, next)
	}
	if got, err := c.Get(ctx, next); err != nil || got.Title != "New" {
		t.Fatalf("Get after Create = %+v, %v", got, err)
	}
}

// With Redis gone, reads and writes still work from the database.
func TestCacheWithoutRedis(t *testing.T) {
	ctx := platformtest.Context(t, 30*time.Second)
	store := catalog.NewStore(platformtest.SQLite(t))
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer dead.Close()
	c := catalog.NewCache(store, dead, catalog.CacheConfig{}, slog.New(slog.DiscardHandler))
	if it, err := c.Get(ctx, 2); err != nil || it.ID != 2 {
		t.Fatalf("Get = %+v, %v", it, err)
	}
	if it, err := c.Update(ctx, 2, catalog.Patch{PriceCents: ptr[int64](7)}); err != nil || it.PriceCents != 7 {
		t.Fatalf("Update = %+v, %v", it, err)
	}
}

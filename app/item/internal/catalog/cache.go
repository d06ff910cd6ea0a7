package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ternhq/tern/framework/rpcerr"
)

// missing is cached for ids that do not exist, so that probing unknown ids does not reach the database.
const missing = "-"

// Cache is a Redis cache-aside in front of a Store's single-item reads: Get reads Redis first and fills
// it from the store on a miss; Create and Update write the store, then delete the item's key. When Redis
// fails, reads and writes go to the store alone (a write whose invalidation fails is logged, and its
// stale entry lives at most TTL). As with any cache-aside, a miss that read the row just before a write
// may store the old row just after the write's invalidation; TTL bounds that too, and listings and
// checkout read the store directly.
type Cache struct {
	store  *Store
	rdb    *redis.Client
	prefix string
	ttl    time.Duration
	miss   time.Duration
	log    *slog.Logger
}

// CacheConfig configures a Cache.
type CacheConfig struct {
	// Prefix starts every key (default "item:").
	Prefix string
	// TTL bounds how long an entry lives (default 10m); MissTTL how long an unknown id is remembered
	// (default 30s).
	TTL, MissTTL time.Duration
}

// NewCache returns the cache-aside Catalog: store behind rdb.
func NewCache(store *Store, rdb *redis.Client, cfg CacheConfig, log *slog.Logger) *Cache {
	if cfg.Prefix == "" {
		cfg.Prefix = "item:"
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 10 * time.Minute
	}
	if cfg.MissTTL <= 0 {
		cfg.MissTTL = 30 * time.Second
	}
	return &Cache{store: store, rdb: rdb, prefix: cfg.Prefix, ttl: cfg.TTL, miss: cfg.MissTTL, log: log}
}

func (c *Cache) key(id int64) string { return c.prefix + strconv.FormatInt(id, 10) }

// Get returns item id from Redis, or from the store, caching what it found (or that there is nothing).
func (c *Cache) Get(ctx context.Context, id int64) (Item, error) {
	val, err := c.rdb.Get(ctx, c.key(id)).Result()
	switch {
	case err == nil && val == missing:
		return Item{}, rpcerr.Errorf(rpcerr.CodeNotFound, "item %d not found", id)
	case err == nil:
		var it Item
		if err := json.Unmarshal([]byte(val), &it); err == nil {
			return it, nil
		}
	case !errors.Is(err, redis.Nil):
		c.log.WarnContext(ctx, "item cache: read failed, using the database", "id", id, "err", err)
	}
	it, err := c.store.Get(ctx, id)
	switch {
	case rpcerr.CodeOf(err) == rpcerr.CodeNotFound:
		c.set(ctx, id, missing, c.miss)
		return Item{}, err
	case err != nil:
		return Item{}, err
	}
	data, _ := json.Marshal(it)
	c.set(ctx, id, string(data), c.ttl)
	return it, nil
}

// set stores a value, logging failures.
func (c *Cache) set(ctx context.Context, id int64, val string, ttl time.Duration) {
	if err := c.rdb.Set(ctx, c.key(id), val, ttl).Err(); err != nil {
		c.log.WarnContext(ctx, "item cache: write failed", "id", id, "err", err)
	}
}

// invalidate deletes an item's entry after its row changed.
func (c *Cache) invalidate(ctx context.Context, id int64) {
	if err := c.rdb.Del(ctx, c.key(id)).Err(); err != nil {
		c.log.WarnContext(ctx, "item cache: invalidation failed; the entry expires on its own", "id", id, "err", err)
	}
}

// Create adds an item, then drops any cached "unknown id" entry for it.
func (c *Cache) Create(ctx context.Context, it Item) (Item, error) {
	it, err := c.store.Create(ctx, it)
	if err == nil {
		c.invalidate(ctx, it.ID)
	}
	return it, err
}

// Update changes an item, then invalidates its entry.
func (c *Cache) Update(ctx context.Context, id int64, p Patch) (Item, error) {
	it, err := c.store.Update(ctx, id, p)
	if err == nil {
		c.invalidate(ctx, id)
	}
	return it, err
}

// BatchGet reads the store directly (listings and checkout want current rows).
func (c *Cache) BatchGet(ctx context.Context, ids []int64) ([]Item, error) {
	return c.store.BatchGet(ctx, ids)
}

// List reads the store directly.
func (c *Cache) List(ctx context.Context, page, pageSize int, query string) (Page, error) {
	return c.store.List(ctx, page, pageSize, query)
}

package main

import (
	"context"
	"time"

	"github.com/ternhq/tern/app/item/internal/catalog"
	"github.com/ternhq/tern/framework/platform"
)

// Config is the item service's configuration: the platform's keys, the cache and the demo catalogue.
type Config struct {
	platform.Config `yaml:",inline"`
	Cache           CacheConfig `yaml:"cache"`
	Demo            DemoConfig  `yaml:"demo"`
}

// CacheConfig configures the Redis cache-aside (used when redis.addr is set).
type CacheConfig struct {
	Prefix  string        `yaml:"prefix"`
	TTL     time.Duration `yaml:"ttl"`
	MissTTL time.Duration `yaml:"miss_ttl"`
}

// DemoConfig seeds the demo catalogue on a first start (an empty table).
type DemoConfig struct {
	Seed bool `yaml:"seed"`
}

// openCatalogue opens the store (migrated, seeded when configured) and puts the Redis cache in front of
// it when Redis is configured.
func openCatalogue(ctx context.Context, p *platform.Platform, cfg *Config) (catalogue, error) {
	db, err := p.DB(ctx)
	if err != nil {
		return nil, err
	}
	store := catalog.NewStore(db)
	if err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	if cfg.Demo.Seed {
		if seeded, err := store.SeedDemo(ctx); err != nil {
			return nil, err
		} else if seeded {
			p.Logger().Info("seeded the demo catalogue", "items", catalog.DemoSize)
		}
	}
	if cfg.Redis.Addr == "" {
		return store, nil
	}
	rdb, err := p.Redis(ctx)
	if err != nil {
		return nil, err
	}
	cc := catalog.CacheConfig{Prefix: cfg.Cache.Prefix, TTL: cfg.Cache.TTL, MissTTL: cfg.Cache.MissTTL}
	return catalog.NewCache(store, rdb, cc, p.Logger()), nil
}

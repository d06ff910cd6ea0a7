package main

import (
	"context"
	"log/slog"

	"github.com/ternhq/tern/app/stock/internal/inventory"
	"github.com/ternhq/tern/framework/platform"
)

// Config is the stock service's configuration: the platform's keys and the demo section.
type Config struct {
	platform.Config `yaml:",inline"`
	Demo            DemoConfig `yaml:"demo"`
}

// DemoConfig seeds the levels of the demo catalogue on a first start (an empty database): items 1..Items,
// the ids the item service gives its demo catalogue, Available units each.
type DemoConfig struct {
	Seed      bool  `yaml:"seed"`
	Items     int64 `yaml:"items"`
	Available int64 `yaml:"available"`
}

// seedDemo seeds the demo levels when the configuration asks for it.
func seedDemo(ctx context.Context, store *inventory.Store, demo DemoConfig, log *slog.Logger) error {
	if !demo.Seed {
		return nil
	}
	ids := make([]int64, demo.Items)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	seeded, err := store.SeedIfEmpty(ctx, ids, demo.Available)
	if seeded {
		log.Info("seeded demo stock", "items", demo.Items, "available", demo.Available)
	}
	return err
}

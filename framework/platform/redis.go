package platform

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// RedisEmbedded as the Redis address starts an in-process Redis-protocol server (miniredis) on a free
// loopback port, for local runs that have no Redis: its data lives as long as the process.
const RedisEmbedded = "embedded"

// RedisConfig configures Redis.
type RedisConfig struct {
	// Addr is host:port, RedisEmbedded, or empty when the service uses no Redis.
	Addr     string `yaml:"addr"`
	Password string `yaml:"password"`
	DB       int    `yaml:"db"`
}

// OpenRedis connects to the Redis cfg describes, starting the embedded server first for RedisEmbedded,
// and checks that it answers within ctx. Closing the returned function closes the client and stops the
// embedded server.
func OpenRedis(ctx context.Context, cfg RedisConfig) (*redis.Client, func() error, error) {
	addr := cfg.Addr
	var embedded *miniredis.Miniredis
	if addr == RedisEmbedded {
		embedded = miniredis.NewMiniRedis()
		if err := embedded.StartAddr("127.0.0.1:0"); err != nil {
			return nil, nil, fmt.Errorf("redis: start the embedded server: %w", err)
		}
		addr = embedded.Addr()
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, Password: cfg.Password, DB: cfg.DB})
	closer := func() error {
		err := rdb.Close()
		if embedded != nil {
			embedded.Close()
		}
		return err
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		closer()
		return nil, nil, fmt.Errorf("redis: %s does not answer: %w", cfg.Addr, err)
	}
	return rdb, closer, nil
}

// Package platformtest gives tests real servers to run against: each test gets a MariaDB/MySQL database
// and a Redis key prefix of its own, removed when it ends. The servers are found through environment
// variables with loopback defaults; a server that does not answer fails the test with a message saying
// how to start it (scripts/test-deps.sh installs and starts both, as CI does), so storage tests never
// pass by being skipped.
package platformtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
	"github.com/ternhq/tern/framework/platform"
	"gorm.io/gorm"
)

// Environment variables naming the test servers.
const (
	// EnvMySQLDSN is a DSN of the MariaDB/MySQL server whose user may create and drop databases named
	// tern_test_*; its database name, if any, is ignored.
	EnvMySQLDSN = "TERN_TEST_MYSQL_DSN"
	// EnvRedisAddr is the host:port of the Redis server.
	EnvRedisAddr = "TERN_TEST_REDIS_ADDR"
)

// Defaults when the variables are unset: the servers scripts/test-deps.sh starts.
const (
	DefaultMySQLDSN  = "tern:tern@tcp(127.0.0.1:3306)/"
	DefaultRedisAddr = "127.0.0.1:6379"
)

const hint = "start the test servers with scripts/test-deps.sh (installs and starts MariaDB and Redis on loopback), or set %s"

// Context returns a context that ends after d or when the test ends.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// Name returns a random name with the given prefix, unique enough for one test run.
func Name(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// MySQLDSN returns the DSN of the test MariaDB/MySQL server ($TERN_TEST_MYSQL_DSN or the default).
func MySQLDSN() string { return getenv(EnvMySQLDSN, DefaultMySQLDSN) }

// MySQL creates a database of its own for t on the test server, opens it through platform.OpenDB and
// drops it when t ends.
func MySQL(t testing.TB) *gorm.DB {
	t.Helper()
	ctx := Context(t, 30*time.Second)
	cfg, err := mysql.ParseDSN(MySQLDSN())
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQLDSN, err)
	}
	cfg.DBName, cfg.ParseTime = "", true
	admin, err := platform.OpenDB(ctx, platform.DBConfig{Driver: platform.DriverMySQL, DSN: cfg.FormatDSN()}, quiet())
	if err != nil {
		t.Fatalf("MariaDB/MySQL at %s: %v; "+hint, cfg.Addr, err, EnvMySQLDSN)
	}
	name := Name("tern_test_")
	if err := admin.WithContext(ctx).Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	cfg.DBName = name
	db, err := platform.OpenDB(ctx, platform.DBConfig{Driver: platform.DriverMySQL, DSN: cfg.FormatDSN()}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		closeDB(db)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin.WithContext(ctx).Exec("DROP DATABASE " + name).Error; err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		closeDB(admin)
	})
	return db
}

// SQLite opens a SQLite database in a file of t's temporary directory, as local runs use.
func SQLite(t testing.TB) *gorm.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := platform.OpenDB(Context(t, 10*time.Second), platform.DBConfig{Driver: platform.DriverSQLite, DSN: path}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeDB(db) })
	return db
}

// Redis connects to the test Redis server and returns the client and a key prefix of t's own; every key
// under the prefix is deleted when t ends.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	addr := getenv(EnvRedisAddr, DefaultRedisAddr)
	rdb, closer, err := platform.OpenRedis(Context(t, 10*time.Second), platform.RedisConfig{Addr: addr})
	if err != nil {
		t.Fatalf("Redis at %s: %v; "+hint, addr, err, EnvRedisAddr)
	}
	prefix := Name("tern_test:") + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := deleteKeys(ctx, rdb, prefix); err != nil {
			t.Errorf("delete keys %s*: %v", prefix, err)
		}
		closer()
	})
	return rdb, prefix
}

// deleteKeys deletes every key starting with prefix.
func deleteKeys(ctx context.Context, rdb *redis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Del(ctx, iter.Val()).Err(); err != nil {
			return err
		}
	}
	return iter.Err()
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

// quiet is a logger for test databases: warnings and errors only.
func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

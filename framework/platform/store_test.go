package platform_test

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/ternhq/tern/framework/platform"
	"github.com/ternhq/tern/framework/platform/platformtest"
	"gorm.io/gorm"
)

type row struct {
	ID   int64  `gorm:"primaryKey"`
	Name string `gorm:"size:50;uniqueIndex"`
}

// Both drivers open, migrate, and report a duplicate key as gorm.ErrDuplicatedKey.
func TestOpenDB(t *testing.T) {
	cases := []struct {
		name string
		open func(t *testing.T) *gorm.DB
	}{
		{"sqlite", func(t *testing.T) *gorm.DB { return platformtest.SQLite(t) }},
		{"mariadb", func(t *testing.T) *gorm.DB { return platformtest.MySQL(t) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := tc.open(t).WithContext(platformtest.Context(t, 30*time.Second))
			if err := db.AutoMigrate(&row{}); err != nil {
				t.Fatal(err)
			}
			if err := db.Create(&row{Name: "a"}).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Create(&row{Name: "a"}).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
				t.Fatalf("duplicate insert: %v, want gorm.ErrDuplicatedKey", err)
			}
		})
	}
}

func TestOpenDBErrors(t *testing.T) {
	ctx := platformtest.Context(t, 10*time.Second)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  platform.DBConfig
	}{
		{"unknown driver", platform.DBConfig{Driver: "oracle", DSN: "x"}},
		{"nobody listening", platform.DBConfig{Driver: platform.DriverMySQL, DSN: "u:p@tcp(127.0.0.1:1)/x?timeout=1s"}},
		{"sqlite directory is a file", platform.DBConfig{Driver: platform.DriverSQLite, DSN: filepath.Join(file, "x.db")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if db, err := platform.OpenDB(ctx, tc.cfg, slog.Default()); err == nil {
				t.Fatalf("OpenDB = %v, want an error", db)
			}
		})
	}
}

func TestOpenRedis(t *testing.T) {
	ctx := platformtest.Context(t, 10*time.Second)
	t.Run("embedded", func(t *testing.T) {
		rdb, closer, err := platform.OpenRedis(ctx, platform.RedisConfig{Addr: platform.RedisEmbedded})
		if err != nil {
			t.Fatal(err)
		}
		if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
			t.Fatalf("Get = %q, %v", v, err)
		}
		if err := closer(); err != nil {
			t.Fatal(err)
		}
		if err := rdb.Ping(ctx).Err(); err == nil {
			t.Fatal("client still works after close")
		}
	})
	t.Run("real server", func(t *testing.T) {
		rdb, prefix := platformtest.Redis(t)
		if err := rdb.Set(ctx, prefix+"k", "v", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		if _, _, err := platform.OpenRedis(ctx, platform.RedisConfig{Addr: "127.0.0.1:1"}); err == nil {
			t.Fatal("OpenRedis succeeded with no server")
		}
	})
}

// create_database creates a missing MySQL database, and is a no-op when it exists.
func TestCreateDatabase(t *testing.T) {
	ctx := platformtest.Context(t, 30*time.Second)
	admin := platformtest.MySQL(t) // also checks that the server answers
	cfg, err := mysql.ParseDSN(platformtest.MySQLDSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName, cfg.ParseTime = platformtest.Name("tern_test_"), true
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + cfg.DBName) })
	for i := range 2 {
		db, err := platform.OpenDB(ctx, platform.DBConfig{Driver: platform.DriverMySQL, DSN: cfg.FormatDSN(), CreateDatabase: true}, slog.Default())
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var name string
		if err := db.Raw("SELECT DATABASE()").Scan(&name).Error; err != nil || name != cfg.DBName {
			t.Fatalf("connected to %q, %v; want %q", name, err, cfg.DBName)
		}
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	}
}

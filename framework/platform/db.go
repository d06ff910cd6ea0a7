package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Database drivers.
const (
	// DriverMySQL is MySQL or MariaDB through gorm.io/driver/mysql; the DSN is the go-sql-driver form,
	// user:password@tcp(host:3306)/db?parseTime=true.
	DriverMySQL = "mysql"
	// DriverSQLite is pure-Go SQLite (github.com/glebarez/sqlite); the DSN is a file path, whose
	// directory is created, or ":memory:".
	DriverSQLite = "sqlite"
)

// DBConfig configures the database.
type DBConfig struct {
	// Driver is mysql or sqlite; empty means the service uses no database.
	Driver string `yaml:"driver"`
	// DSN says where the database is (see DriverMySQL and DriverSQLite).
	DSN string `yaml:"dsn"`
	// MaxOpenConns caps the connections to MySQL (default 20). SQLite always uses one, which serialises
	// its transactions.
	MaxOpenConns int `yaml:"max_open_conns"`
	// SlowQuery is the duration above which a statement is logged at warn level (default 200ms).
	SlowQuery time.Duration `yaml:"slow_query"`
	// CreateDatabase creates the DSN's MySQL database when it does not exist (utf8mb4), so that a
	// fresh server needs no set-up besides a user allowed to create it.
	CreateDatabase bool `yaml:"create_database"`
}

func (c DBConfig) validate() error {
	switch c.Driver {
	case "":
		return nil
	case DriverMySQL, DriverSQLite:
		if c.DSN == "" {
			return errors.New("dsn: empty")
		}
		return nil
	}
	return fmt.Errorf("driver: %q is neither %s nor %s", c.Driver, DriverMySQL, DriverSQLite)
}

// OpenDB opens the database cfg describes and checks that it answers within ctx. gorm's statement logs
// go to log (slow statements at warn, failures at error); duplicate-key errors come back as
// gorm.ErrDuplicatedKey whatever the driver.
func OpenDB(ctx context.Context, cfg DBConfig, log *slog.Logger) (*gorm.DB, error) {
	if cfg.CreateDatabase && cfg.Driver == DriverMySQL {
		if err := createDatabase(ctx, cfg.DSN); err != nil {
			return nil, err
		}
	}
	dialector, err := dialector(cfg)
	if err != nil {
		return nil, err
	}
	slow := cfg.SlowQuery
	if slow <= 0 {
		slow = 200 * time.Millisecond
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		TranslateError: true,
		Logger: logger.NewSlogLogger(log, logger.Config{
			SlowThreshold: slow, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true, ParameterizedQueries: true,
		}),
	})
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", cfg.Driver, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(maxConns(cfg))
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("db: %s does not answer: %w", cfg.Driver, err)
	}
	return db, nil
}

func maxConns(cfg DBConfig) int {
	switch {
	case cfg.Driver == DriverSQLite:
		return 1
	case cfg.MaxOpenConns > 0:
		return cfg.MaxOpenConns
	}
	return 20
}

// dialector returns the gorm dialector of cfg's driver.
func dialector(cfg DBConfig) (gorm.Dialector, error) {
	switch cfg.Driver {
	case DriverMySQL:
		return mysql.Open(cfg.DSN), nil
	case DriverSQLite:
		dsn, err := sqliteDSN(cfg.DSN)
		if err != nil {
			return nil, err
		}
		return sqlite.Open(dsn), nil
	}
	return nil, fmt.Errorf("db: driver %q is neither %s nor %s", cfg.Driver, DriverMySQL, DriverSQLite)
}

// sqliteDSN creates the directory of a database file and adds the pragmas a service needs: a busy
// timeout, write-ahead logging and foreign keys.
func sqliteDSN(path string) (string, error) {
	if path != ":memory:" && !strings.HasPrefix(path, "file:") {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", fmt.Errorf("db: %w", err)
		}
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)", nil
}

// createDatabase creates the database a MySQL DSN names, if it does not exist.
func createDatabase(ctx context.Context, dsn string) error {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("db: dsn: %w", err)
	}
	name := cfg.DBName
	if name == "" || strings.ContainsRune(name, '`') {
		return fmt.Errorf("db: create_database needs a database name in the DSN, without backquotes")
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+name+"` CHARACTER SET utf8mb4")
	if err != nil {
		return fmt.Errorf("db: create database %s: %w", name, err)
	}
	return nil
}

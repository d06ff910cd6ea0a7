package platform_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/platform"
)

// svcConfig is a service configuration: the platform's part inlined, plus a section of its own.
type svcConfig struct {
	platform.Config `yaml:",inline"`
	Cache           struct {
		TTL     time.Duration `yaml:"ttl"`
		Enabled bool          `yaml:"enabled"`
	} `yaml:"cache"`
}

const validYAML = `
service: item
server:
  addr: 127.0.0.1:8881
db:
  driver: sqlite
  dsn: data/item.db
redis:
  addr: embedded
clients:
  stock:
    addrs: 127.0.0.1:8882
    timeout: 300ms
cache:
  ttl: 1m
  enabled: true
`

func TestDecodeAndEnv(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c *svcConfig)
	}{
		{"file values and defaults", nil, func(t *testing.T, c *svcConfig) {
			if c.Service != "item" || c.Server.Addr != "127.0.0.1:8881" || c.DB.DSN != "data/item.db" ||
				c.Clients["stock"].Timeout != 300*time.Millisecond || c.Cache.TTL != time.Minute || !c.Cache.Enabled {
				t.Errorf("decoded %+v", c)
			}
			if c.Log.Level != "info" || c.Registry.Kind != platform.RegistryDirect || c.Server.ExitWait != 5*time.Second ||
				c.Telemetry.Exporter != platform.ExporterNone {
				t.Errorf("defaults not applied: %+v", c)
			}
		}},
		{"overrides at every depth", map[string]string{
			"TERN_SERVER_ADDR": ":9", "TERN_DB_DSN": "x.db", "TERN_CLIENTS_STOCK_TIMEOUT": "2s",
			"TERN_CACHE_TTL": "5s", "TERN_CACHE_ENABLED": "false", "TERN_DB_MAX_OPEN_CONNS": "7",
			"TERN_TELEMETRY_SAMPLE_RATIO": "0.5",
		}, func(t *testing.T, c *svcConfig) {
			if c.Server.Addr != ":9" || c.DB.DSN != "x.db" || c.Clients["stock"].Timeout != 2*time.Second ||
				c.Cache.TTL != 5*time.Second || c.Cache.Enabled || c.DB.MaxOpenConns != 7 || c.Telemetry.SampleRatio != 0.5 {
				t.Errorf("overrides not applied: %+v", c)
			}
		}},
		{"empty variable counts", map[string]string{"TERN_REDIS_ADDR": ""}, func(t *testing.T, c *svcConfig) {
			if c.Redis.Addr != "" {
				t.Errorf("redis.addr = %q, want empty", c.Redis.Addr)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c svcConfig
			if err := platform.Decode([]byte(validYAML), &c); err != nil {
				t.Fatal(err)
			}
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			if err := platform.ApplyEnv(&c, lookup); err != nil {
				t.Fatal(err)
			}
			tc.check(t, &c)
		})
	}
}

func TestApplyEnvErrors(t *testing.T) {
	cases := []struct{ name, key, value, want string }{
		{"bad duration", "TERN_CACHE_TTL", "soon", "TERN_CACHE_TTL"},
		{"bad bool", "TERN_CACHE_ENABLED", "perhaps", "TERN_CACHE_ENABLED"},
		{"bad int", "TERN_REDIS_DB", "one", "TERN_REDIS_DB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c svcConfig
			err := platform.ApplyEnv(&c, func(k string) (string, bool) { return tc.value, k == tc.key })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ApplyEnv = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(c *platform.Config)
		want string
	}{
		{"valid", func(*platform.Config) {}, ""},
		{"no service", func(c *platform.Config) { c.Service = "" }, "service: empty"},
		{"no addr", func(c *platform.Config) { c.Server.Addr = "" }, "server.addr"},
		{"bad level", func(c *platform.Config) { c.Log.Level = "loud" }, "log.level"},
		{"bad driver", func(c *platform.Config) { c.DB.Driver = "oracle" }, "db: driver"},
		{"no dsn", func(c *platform.Config) { c.DB.DSN = "" }, "db: dsn"},
		{"bad registry", func(c *platform.Config) { c.Registry.Kind = "zk" }, "registry: kind"},
		{"nacos without addr", func(c *platform.Config) { c.Registry.Kind = "nacos" }, "registry: addrs"},
		{"direct client without addrs", func(c *platform.Config) {
			c.Clients["stock"] = platform.ClientConfig{}
		}, "clients.stock.addrs"},
		{"otlp without endpoint", func(c *platform.Config) { c.Telemetry.Exporter = "otlp" }, "telemetry.endpoint"},
		{"bad exporter", func(c *platform.Config) { c.Telemetry.Exporter = "zipkin" }, "telemetry.exporter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c svcConfig
			if err := platform.Decode([]byte(validYAML), &c); err != nil {
				t.Fatal(err)
			}
			tc.edit(&c.Config)
			err := c.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDecodeRejectsUnknownKeys(t *testing.T) {
	var c svcConfig
	err := platform.Decode([]byte("service: x\nservr:\n  addr: :1\n"), &c)
	if err == nil || !strings.Contains(err.Error(), "servr") {
		t.Fatalf("Decode = %v, want an error naming the unknown key", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "test.yaml"), []byte(validYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(platform.EnvConfDir, dir)
	t.Setenv(platform.EnvName, "test")
	t.Setenv("TERN_SERVER_ADDR", "127.0.0.1:1")
	var c svcConfig
	if err := platform.Load(&c); err != nil {
		t.Fatal(err)
	}
	if c.Env != "test" || c.Server.Addr != "127.0.0.1:1" {
		t.Errorf("Load = env %q addr %q", c.Env, c.Server.Addr)
	}
	t.Setenv(platform.EnvName, "nope")
	if err := platform.Load(&c); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing file: %v", err)
	}
	t.Setenv(platform.EnvName, "test")
	t.Setenv("TERN_LOG_FORMAT", "xml")
	if err := platform.Load(&c); err == nil || !strings.Contains(err.Error(), "log.format") {
		t.Errorf("bad format: %v", err)
	}
}

func TestEnvVar(t *testing.T) {
	cases := map[string]string{"db.dsn": "TERN_DB_DSN", "clients.item.addrs": "TERN_CLIENTS_ITEM_ADDRS", "a-b": "TERN_A_B"}
	for key, want := range cases {
		t.Run(key, func(t *testing.T) {
			if got := platform.EnvVar(key); got != want {
				t.Errorf("EnvVar(%q) = %q, want %q", key, got, want)
			}
		})
	}
}

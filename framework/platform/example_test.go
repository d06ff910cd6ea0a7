package platform_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ternhq/tern/framework/platform"
)

// A service's configuration embeds platform.Config and adds its own sections; every key can be
// overridden by an environment variable.
func ExampleLoad() {
	type Config struct {
		platform.Config `yaml:",inline"`
		Cache           struct {
			TTL time.Duration `yaml:"ttl"`
		} `yaml:"cache"`
	}
	dir, _ := os.MkdirTemp("", "conf")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "dev.yaml"), []byte(`
service: item
server:
  addr: 127.0.0.1:8881
db:
  driver: sqlite
  dsn: data/item.db
cache:
  ttl: 10m
`), 0o644)
	for k, v := range map[string]string{platform.EnvConfDir: dir, platform.EnvName: "dev", "TERN_CACHE_TTL": "30s"} {
		os.Setenv(k, v)
		defer os.Unsetenv(k)
	}

	var cfg Config
	if err := platform.Load(&cfg); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Service, cfg.Env, cfg.Server.Addr, cfg.DB.Driver, cfg.Cache.TTL, cfg.Registry.Kind)
	// Output: item dev 127.0.0.1:8881 sqlite 30s direct
}

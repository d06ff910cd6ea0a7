package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/platform"
)

// Every shipped configuration file loads and passes the platform's checks, with no environment
// overrides.
func TestShippedConfig(t *testing.T) {
	files, err := filepath.Glob("conf/*.yaml")
	if err != nil || len(files) != 3 {
		t.Fatalf("conf/*.yaml = %v, %v; want dev, test and prod", files, err)
	}
	for _, f := range files {
		env := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(env, func(t *testing.T) {
			t.Setenv(platform.EnvConfDir, "conf")
			t.Setenv(platform.EnvName, env)
			var cfg Config
			if err := platform.Load(&cfg); err != nil {
				t.Fatal(err)
			}
			if cfg.Service != serviceName || cfg.Env != env {
				t.Errorf("service %q env %q, want %q %q", cfg.Service, cfg.Env, serviceName, env)
			}
		})
	}
}

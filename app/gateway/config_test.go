package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/app/gateway/internal/shop/shoptest"
	"github.com/ternhq/tern/framework/platform"
)

// demoUsers are the users and passwords the README lists.
var demoUsers = map[string]string{"alice": "wonderland", "bob": "builder", "carol": "christmas"}

// loadConf decodes conf/<env>.yaml with the given environment overrides.
func loadConf(t *testing.T, env string, vars map[string]string) *Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("conf", env+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := platform.Decode(data, &cfg); err != nil {
		t.Fatalf("%s.yaml: %v", env, err)
	}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	if err := platform.ApplyEnv(&cfg, lookup); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("%s.yaml: %v", env, err)
	}
	return &cfg
}

func newTestPlatform(t *testing.T, cfg *Config) *platform.Platform {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var logs strings.Builder
	p, err := platform.New(ctx, cfg, platform.WithLogOutput(&logs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// TestConfFiles: every environment's file loads into a working gateway, the demo users log in with the
// README's passwords, and prod refuses to start without a secret from the environment.
func TestConfFiles(t *testing.T) {
	secret := map[string]string{"TERN_AUTH_SECRET": "a production secret of at least 32 bytes"}
	tests := []struct {
		env  string
		vars map[string]string
	}{
		{"dev", nil},
		{"test", nil},
		{"prod", secret},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			cfg := loadConf(t, tt.env, tt.vars)
			cfg.Registry.Kind = platform.RegistryDirect // no Nacos here
			deps, err := newDeps(cfg, newTestPlatform(t, cfg), shoptest.New(1, 1))
			if err != nil {
				t.Fatal(err)
			}
			for name, pass := range demoUsers {
				if _, err := deps.Users.Authenticate(name, pass); err != nil {
					t.Errorf("%s/%s: %v", name, pass, err)
				}
			}
			if deps.Limiter == nil {
				t.Error("no rate limit")
			}
			for _, c := range []string{"item", "stock", "cart"} {
				if _, ok := cfg.Clients[c]; !ok {
					t.Errorf("clients.%s missing", c)
				}
			}
		})
	}
	t.Run("prod without secret", func(t *testing.T) {
		cfg := loadConf(t, "prod", nil)
		cfg.Registry.Kind = platform.RegistryDirect
		if _, err := newDeps(cfg, newTestPlatform(t, cfg), shoptest.New(1, 1)); err == nil ||
			!strings.Contains(err.Error(), "TERN_AUTH_SECRET") {
			t.Errorf("newDeps: %v, want an error naming TERN_AUTH_SECRET", err)
		}
	})
}

func TestParseCIDRs(t *testing.T) {
	tests := []struct {
		in    string
		n     int
		valid bool
	}{
		{"", 0, true},
		{"10.0.0.0/8", 1, true},
		{" 10.0.0.0/8 , 192.168.0.0/16,", 2, true},
		{"10.0.0.1", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			nets, err := parseCIDRs(tt.in)
			if (err == nil) != tt.valid || len(nets) != tt.n {
				t.Errorf("parseCIDRs(%q) = %v, %v", tt.in, nets, err)
			}
		})
	}
}

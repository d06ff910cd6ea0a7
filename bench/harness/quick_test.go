package harness_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ternhq/tern/bench/contenders"
	"github.com/ternhq/tern/bench/harness"
)

// TestMain lets the test binary play the server role when the harness re-executes it.
func TestMain(m *testing.M) {
	harness.ServeIfChild()
	os.Exit(m.Run())
}

// TestQuickRun runs the whole harness in quick mode over every contender, as CI does, so that the
// benchmark cannot rot: every contender must serve, answer and be measured.
func TestQuickRun(t *testing.T) {
	cfg := harness.DefaultConfig().QuickConfig()
	cfg.OutDir = t.TempDir()
	res, err := harness.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Summaries() {
		if s.Rounds != 1 || s.QPS.Med <= 0 || s.P99.Med <= 0 || s.ServerCPU.Med <= 0 {
			t.Errorf("%s: %d rounds, %.0f qps, p99 %v ns, server CPU %v ns; want one round with figures",
				s.Name, s.Rounds, s.QPS.Med, s.P99.Med, s.ServerCPU.Med)
		}
	}
	files, err := harness.WriteReport(res, cfg.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range contenders.All() {
		if !strings.Contains(string(md), "| "+c.Name+" | ") {
			t.Errorf("the table has no row for %s", c.Name)
		}
	}
	if !strings.Contains(string(md), "tern-thrift vs kitex-thrift") {
		t.Error("the report does not evaluate the targets")
	}
	svg, err := os.ReadFile(files[1])
	if err != nil || !strings.HasPrefix(string(svg), "<svg") {
		t.Errorf("chart: %v, starts %.20q", err, svg)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*harness.Config)
		ok     bool
	}{
		{"default", func(*harness.Config) {}, true},
		{"16 KiB, 1000 workers", func(c *harness.Config) { c.Payload, c.Concurrency = 16384, 1000 }, true},
		{"no contender", func(c *harness.Config) { c.Contenders = nil }, false},
		{"zero payload", func(c *harness.Config) { c.Payload = 0 }, false},
		{"fewer requests than workers", func(c *harness.Config) { c.Requests = 10 }, false},
		{"no rounds", func(c *harness.Config) { c.Rounds = 0 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := harness.DefaultConfig()
			tc.change(&cfg)
			if err := cfg.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// Package harness runs the RPC benchmark: every contender's server in a process of its own, pinned
// away from the client; contenders interleaved round after round; per-call latency into histograms;
// server CPU time and allocations per call from the server process; a Markdown table and an SVG chart.
package harness

import (
	"errors"
	"fmt"
	"io"

	"github.com/ternhq/tern/bench/contenders"
)

// Config is one benchmark run.
type Config struct {
	// Contenders run in this order in odd rounds and in the reverse order in even ones.
	Contenders []*contenders.Contender
	// Payload is the message size in bytes (128, 1024 or 16384 in the published sets).
	Payload int
	// Concurrency is the number of calling workers.
	Concurrency int
	// Requests is the number of measured calls per contender and round.
	Requests int
	// Warmup is the number of calls before the measured ones, on the same connections.
	Warmup int
	// Rounds is how many times every contender runs; the report shows the median and the range.
	Rounds int
	// MuxConns is the number of connections the multiplexed clients use.
	MuxConns int
	// OutDir receives the table and the chart ("" writes nothing).
	OutDir string
	// ProfileDir, when set, receives CPU profiles of each contender's server and client (last round).
	ProfileDir string
	// Progress receives a line per finished contender run (nil: no progress).
	Progress io.Writer
	// Quick marks a smoke run (the report says so).
	Quick bool
}

// maxPayload bounds the message size.
const maxPayload = 1 << 20

// Payloads and concurrencies of the published sets.
var (
	Payloads      = []int{128, 1024, 16384}
	Concurrencies = []int{1, 100, 1000}
)

// DefaultConfig is the default set: every contender, 1 KiB, 100 workers, seven rounds of 120,000
// calls (about nine minutes on a shared two-core machine).
func DefaultConfig() Config {
	return Config{
		Contenders:  contenders.All(),
		Payload:     1024,
		Concurrency: 100,
		Requests:    120_000,
		Warmup:      12_000,
		Rounds:      7,
		MuxConns:    2,
		OutDir:      "results",
	}
}

// QuickConfig makes c a smoke run of a second or two per contender, for CI.
func (c Config) QuickConfig() Config {
	c.Quick = true
	c.Requests = min(c.Requests, 3_000)
	c.Warmup = min(c.Warmup, 500)
	c.Rounds = 1
	c.Concurrency = min(c.Concurrency, 20)
	return c
}

// Validate reports a configuration the harness cannot run.
func (c Config) Validate() error {
	var errs []error
	if len(c.Contenders) == 0 {
		errs = append(errs, errors.New("no contender"))
	}
	if c.Payload < 1 || c.Payload > maxPayload {
		errs = append(errs, fmt.Errorf("payload %d: want 1 to %d bytes (published sets: %v)", c.Payload, maxPayload, Payloads))
	}
	if c.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("concurrency %d: want at least 1", c.Concurrency))
	}
	if c.Requests < c.Concurrency {
		errs = append(errs, fmt.Errorf("requests %d: want at least the concurrency (%d)", c.Requests, c.Concurrency))
	}
	if c.Warmup < 0 || c.Rounds < 1 || c.MuxConns < 1 {
		errs = append(errs, fmt.Errorf("warmup %d, rounds %d, mux connections %d: want ≥0, ≥1, ≥1", c.Warmup, c.Rounds, c.MuxConns))
	}
	return errors.Join(errs...)
}

// Tag names the run's result files, for example "p1024-c100".
func (c Config) Tag() string {
	tag := fmt.Sprintf("p%d-c%d", c.Payload, c.Concurrency)
	if c.Quick {
		tag += "-quick"
	}
	return tag
}

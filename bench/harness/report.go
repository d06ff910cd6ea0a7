package harness

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Markdown renders the run: how it was made, the table, the targets and the legend.
func Markdown(r *Result) string {
	var b strings.Builder
	cfg := r.Config
	mode := ""
	if cfg.Quick {
		mode = " (quick mode: a smoke run, not a measurement)"
	}
	fmt.Fprintf(&b, "### RPC echo, %d B payload, concurrency %d%s\n\n", cfg.Payload, cfg.Concurrency, mode)
	fmt.Fprintf(&b, "%s; %s, %s/%s, %d CPUs (%s); %s. ", r.Started.UTC().Format("2006-01-02 15:04 MST"),
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), r.Placement)
	fmt.Fprintf(&b, "%d rounds, contenders interleaved (order reversed every other round); %d measured calls per contender and round after %d warm-up calls; "+
		"%d multiplexed connections; run took %s; load average %s before, %s after.\n\n",
		cfg.Rounds, cfg.Requests, cfg.Warmup, cfg.MuxConns, r.Elapsed.Round(time.Second), r.LoadBefore, r.LoadAfter)
	b.WriteString("Median of the rounds, range in brackets. Latency is per call, client side. CPU and " +
		"allocations per call come from each process (server: rusage and runtime.MemStats of its own process). " +
		"Server busy is QPS × server CPU per call, as a share of the server's CPUs: well below 100% means the " +
		"server waited — on the client, on the network stack, or on other load sharing the machine — and QPS " +
		"then says more about the machine than about the stack; CPU per call is the steadier figure.\n\n")
	b.WriteString(resultTable(r.Summaries(), r.Placement.Procs))
	if t := targetTable(r.TargetResults()); t != "" {
		b.WriteString("\nTargets (ratios per round, A/B; median and range):\n\n")
		b.WriteString(t)
	}
	b.WriteString("\nContenders:\n\n")
	for _, c := range cfg.Contenders {
		fmt.Fprintf(&b, "- `%s` (%s): %s\n", c.Name, c.Group, c.Desc)
	}
	return b.String()
}

// resultTable renders the summaries as a Markdown table.
func resultTable(ss []Summary, procs int) string {
	var b strings.Builder
	b.WriteString("| contender | QPS | p50 | p99 | p999 | server CPU/call | server busy | server allocs/call | client CPU/call | client allocs/call |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, s := range ss {
		if s.Rounds == 0 {
			fmt.Fprintf(&b, "| %s | failed: %s | | | | | | | | |\n", s.Name, oneLine(s.Err))
			continue
		}
		busy := s.QPS.Med * s.ServerCPU.Med / float64(time.Second) / float64(max(procs, 1))
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %.0f%% | %.1f | %s | %.1f |\n", s.Name,
			fmtQPS(s.QPS), fmtDur(time.Duration(s.P50.Med)), fmtDurRange(s.P99), fmtDur(time.Duration(s.P999.Med)),
			fmtDur(time.Duration(s.ServerCPU.Med)), busy*100, s.ServerAllocs.Med,
			fmtDur(time.Duration(s.ClientCPU.Med)), s.ClientAllocs.Med)
	}
	return b.String()
}

func fmtQPS(s Stat) string {
	return fmt.Sprintf("%.0f (%.0f–%.0f)", s.Med, s.Min, s.Max)
}

func fmtDurRange(s Stat) string {
	return fmt.Sprintf("%s (%s–%s)", fmtDur(time.Duration(s.Med)), fmtDur(time.Duration(s.Min)), fmtDur(time.Duration(s.Max)))
}

// oneLine shortens an error for a table cell.
func oneLine(err error) string {
	s := strings.ReplaceAll(fmt.Sprint(err), "\n", " ")
	s = strings.ReplaceAll(s, "|", "/")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or "unknown CPU".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// WriteReport writes the Markdown table, the SVG chart and the raw samples into dir as <tag>.md,
// <tag>.svg and <tag>.json, and returns their paths. An empty dir writes nothing.
func WriteReport(r *Result, dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	base := filepath.Join(dir, r.Config.Tag())
	md, svg, raw := base+".md", base+".svg", base+".json"
	samples, err := rawSamples(r)
	if err != nil {
		return nil, err
	}
	body := Markdown(r) + fmt.Sprintf("\n![chart](%s)\n", filepath.Base(svg))
	err = errors.Join(os.WriteFile(md, []byte(body), 0o644), os.WriteFile(svg, []byte(Chart(r)), 0o644),
		os.WriteFile(raw, samples, 0o644))
	if err != nil {
		return nil, err
	}
	return []string{md, svg, raw}, nil
}

// rawSamples encodes every sample as JSON (durations in nanoseconds), for analysis beyond the table.
func rawSamples(r *Result) ([]byte, error) {
	type entry struct {
		Name    string   `json:"name"`
		Samples []Sample `json:"samples"`
		Error   string   `json:"error,omitempty"`
	}
	out := make([]entry, len(r.Config.Contenders))
	for i, c := range r.Config.Contenders {
		out[i] = entry{Name: c.Name, Samples: r.Samples[i]}
		if r.Errs[i] != nil {
			out[i].Error = r.Errs[i].Error()
		}
	}
	return json.MarshalIndent(out, "", "  ")
}

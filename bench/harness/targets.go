package harness

import (
	"fmt"
	"strings"
)

// Target is one of the team's performance goals: contender A against contender B.
type Target struct {
	A, B string
	// MinQPSRatio is the least QPS(A)/QPS(B) that meets the goal; 0 means no goal (shown for reference).
	MinQPSRatio float64
	// P99NoWorse also asks for p99(A) ≤ p99(B).
	P99NoWorse bool
}

// Targets are the goals of issue 9, then comparisons shown for reference.
var Targets = []Target{
	{A: "tern-thrift", B: "kitex-thrift", MinQPSRatio: 1.2, P99NoWorse: true},
	{A: "tern-thrift-mux", B: "kitex-thrift-mux", MinQPSRatio: 1.2, P99NoWorse: true},
	{A: "tern-grpc", B: "grpc-go", MinQPSRatio: 1.5},
	{A: "tern-thrift", B: "netpoll-raw", MinQPSRatio: 0.7},
	{A: "tern-grpc-bidi", B: "grpc-go-bidi"},
	{A: "tern-grpc", B: "kitex-grpc"},
	{A: "tern-kpb", B: "kitex-kpb"},
}

// TargetResult is how a run fared against a Target.
type TargetResult struct {
	Target
	// QPSRatio, P99Ratio and CPURatio (server CPU time per call) are A/B per round, median and range.
	QPSRatio, P99Ratio, CPURatio Stat
	Rounds                       int
}

// Met reports whether the goal is reached (always true for reference comparisons).
func (t TargetResult) Met() bool {
	if t.MinQPSRatio == 0 {
		return true
	}
	return t.Rounds > 0 && t.QPSRatio.Med >= t.MinQPSRatio && (!t.P99NoWorse || t.P99Ratio.Med <= 1)
}

// Goal describes the target in words.
func (t Target) Goal() string {
	if t.MinQPSRatio == 0 {
		return "reference"
	}
	g := fmt.Sprintf("QPS ≥ %.1f×", t.MinQPSRatio)
	if t.MinQPSRatio < 1 {
		g = fmt.Sprintf("QPS ≥ %.0f%%", t.MinQPSRatio*100)
	}
	if t.P99NoWorse {
		g += ", p99 ≤"
	}
	return g
}

// TargetResults evaluates every target whose two contenders both ran.
func (r *Result) TargetResults() []TargetResult {
	var out []TargetResult
	for _, t := range Targets {
		q := r.pairedRatios(t.A, t.B, func(s Sample) float64 { return s.QPS })
		if len(q) == 0 {
			continue
		}
		p := r.pairedRatios(t.A, t.B, func(s Sample) float64 { return float64(s.P99) })
		c := r.pairedRatios(t.A, t.B, func(s Sample) float64 { return float64(s.ServerCPU) })
		out = append(out, TargetResult{Target: t, QPSRatio: statOf(q), P99Ratio: statOf(p), CPURatio: statOf(c), Rounds: len(q)})
	}
	return out
}

// targetTable renders the targets as Markdown.
func targetTable(ts []TargetResult) string {
	if len(ts) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("| A vs B | goal | QPS A/B | p99 A/B | server CPU/call A/B | verdict |\n|---|---|---|---|---|---|\n")
	for _, t := range ts {
		verdict := "met"
		switch {
		case t.MinQPSRatio == 0:
			verdict = "—"
		case !t.Met():
			verdict = "**not met**"
		}
		fmt.Fprintf(&b, "| %s vs %s | %s | %s | %s | %s | %s |\n", t.A, t.B, t.Goal(),
			fmtRatio(t.QPSRatio), fmtRatio(t.P99Ratio), fmtRatio(t.CPURatio), verdict)
	}
	return b.String()
}

// fmtRatio shows a ratio's median and range, e.g. "1.23× (1.10–1.31)".
func fmtRatio(s Stat) string {
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", s.Med, s.Min, s.Max)
}

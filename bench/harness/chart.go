package harness

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// Chart draws the run as an SVG: three panels of horizontal bars — QPS, p99 latency and server CPU
// time per call — each bar the median with a whisker over the rounds' range.
func Chart(r *Result) string {
	ss := r.Summaries()
	const (
		labelW, panelW, gap = 150, 300, 40
		rowH, top, bottom   = 22, 50, 30
	)
	height := top + rowH*len(ss) + bottom
	width := labelW + 3*panelW + 2*gap + 20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14" font-weight="bold">%s</text>`+"\n",
		html.EscapeString(fmt.Sprintf("RPC echo, %d B, concurrency %d, median of %d rounds (whiskers: min–max)",
			r.Config.Payload, r.Config.Concurrency, r.Config.Rounds)))
	qps := panel{x: labelW, w: panelW, title: "QPS (higher is better)", max: maxOf(ss, func(s Summary) Stat { return s.QPS }),
		value: func(s Summary) Stat { return s.QPS }, label: func(v float64) string { return fmt.Sprintf("%.0f", v) }}
	p99 := panel{x: labelW + panelW + gap, w: panelW, title: "p99 latency (lower is better)",
		max:   maxOf(ss, func(s Summary) Stat { return s.P99 }),
		value: func(s Summary) Stat { return s.P99 }, label: func(v float64) string { return fmtDur(time.Duration(v)) }}
	cpu := panel{x: labelW + 2*(panelW+gap), w: panelW, title: "server CPU per call (lower is better)",
		max:   maxOf(ss, func(s Summary) Stat { return s.ServerCPU }),
		value: func(s Summary) Stat { return s.ServerCPU }, label: func(v float64) string { return fmtDur(time.Duration(v)) }}
	panels := []panel{qps, p99, cpu}
	for _, p := range panels {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", p.x, top-12, p.title)
	}
	for i, s := range ss {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelW-8, y+15, html.EscapeString(s.Name))
		if s.Rounds == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#b00">failed</text>`+"\n", labelW, y+15)
			continue
		}
		for _, p := range panels {
			p.bar(&b, s, y, rowH, colorOf(s.Name))
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// panel is one bar chart of the SVG.
type panel struct {
	x, w  int
	title string
	max   float64
	value func(Summary) Stat
	label func(float64) string
}

// bar draws s's bar, its whisker and its value label at row y.
func (p panel) bar(b *strings.Builder, s Summary, y, rowH int, color string) {
	if p.max <= 0 {
		return
	}
	scale := float64(p.w-60) / p.max
	v := p.value(s)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", p.x, y+3, v.Med*scale, rowH-6, color)
	wy := y + rowH/2
	fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>`+"\n", float64(p.x)+v.Min*scale, wy, float64(p.x)+v.Max*scale, wy)
	fmt.Fprintf(b, `<text x="%.1f" y="%d">%s</text>`+"\n", float64(p.x)+v.Max*scale+4, y+15, html.EscapeString(p.label(v.Med)))
}

// maxOf returns the largest maximum of a figure over the summaries that ran.
func maxOf(ss []Summary, f func(Summary) Stat) float64 {
	m := 0.0
	for _, s := range ss {
		if s.Rounds > 0 {
			m = max(m, f(s).Max)
		}
	}
	return m
}

// colorOf gives each stack its colour: Tern blue, Kitex orange, grpc-go green, netpoll grey.
func colorOf(name string) string {
	switch {
	case strings.HasPrefix(name, "tern"):
		return "#3b73b9"
	case strings.HasPrefix(name, "kitex"):
		return "#e08a2c"
	case strings.HasPrefix(name, "grpc-go"):
		return "#4a9d5b"
	}
	return "#888888"
}

package harness

import (
	"fmt"
	"io"
	"time"
)

// progress prints a line per finished contender run, with the time left at the pace so far.
type progress struct {
	w        io.Writer
	total    int
	finished int
	start    time.Time
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, total: total, start: time.Now()}
}

func (p *progress) printf(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, format, args...)
	}
}

// step counts a finished run and returns the "[ 3/55] … left" prefix.
func (p *progress) step(round int, name string) string {
	p.finished++
	elapsed := time.Since(p.start)
	left := time.Duration(float64(elapsed) / float64(p.finished) * float64(p.total-p.finished))
	return fmt.Sprintf("[%*d/%d] round %d %-18s (%s elapsed, ~%s left)", len(fmt.Sprint(p.total)), p.finished,
		p.total, round, name, elapsed.Round(time.Second), left.Round(time.Second))
}

func (p *progress) done(round int, name string, s Sample) {
	prefix := p.step(round, name)
	p.printf("%s  %9.0f qps  p99 %-8s  server %s/call, %.2f context switches/call\n", prefix, s.QPS,
		fmtDur(s.P99), fmtDur(s.ServerCPU), s.ServerCtxSw)
}

func (p *progress) failed(round int, name string, err error) {
	p.printf("%s  FAILED: %v\n", p.step(round, name), err)
}

// fmtDur shows a duration with three significant digits in µs or ms.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

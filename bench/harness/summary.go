package harness

import (
	"slices"
	"time"
)

// Stat is a figure over the rounds: the median and the range.
type Stat struct{ Med, Min, Max float64 }

// statOf returns the median, minimum and maximum of xs (zero when empty).
func statOf(xs []float64) Stat {
	if len(xs) == 0 {
		return Stat{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stat{Med: med, Min: s[0], Max: s[len(s)-1]}
}

// Summary is one contender's figures over the rounds.
type Summary struct {
	Name, Desc, Group          string
	Rounds                     int
	QPS, P50, P99, P999        Stat // QPS in calls per second, latencies in nanoseconds
	ServerCPU, ClientCPU       Stat // nanoseconds per call
	ServerAllocs, ClientAllocs Stat // allocations per call
	Err                        error
}

// Summaries returns every contender's summary, in run order.
func (r *Result) Summaries() []Summary {
	out := make([]Summary, len(r.Config.Contenders))
	for i, c := range r.Config.Contenders {
		ss := r.Samples[i]
		pick := func(f func(Sample) float64) Stat {
			xs := make([]float64, len(ss))
			for j, s := range ss {
				xs[j] = f(s)
			}
			return statOf(xs)
		}
		dur := func(f func(Sample) time.Duration) Stat {
			return pick(func(s Sample) float64 { return float64(f(s)) })
		}
		out[i] = Summary{
			Name: c.Name, Desc: c.Desc, Group: c.Group, Rounds: len(ss), Err: r.Errs[i],
			QPS:          pick(func(s Sample) float64 { return s.QPS }),
			P50:          dur(func(s Sample) time.Duration { return s.P50 }),
			P99:          dur(func(s Sample) time.Duration { return s.P99 }),
			P999:         dur(func(s Sample) time.Duration { return s.P999 }),
			ServerCPU:    dur(func(s Sample) time.Duration { return s.ServerCPU }),
			ClientCPU:    dur(func(s Sample) time.Duration { return s.ClientCPU }),
			ServerAllocs: pick(func(s Sample) float64 { return s.ServerAllocs }),
			ClientAllocs: pick(func(s Sample) float64 { return s.ClientAllocs }),
		}
	}
	return out
}

// samplesOf returns the samples of the contender called name, or nil.
func (r *Result) samplesOf(name string) []Sample {
	for i, c := range r.Config.Contenders {
		if c.Name == name {
			return r.Samples[i]
		}
	}
	return nil
}

// pairedRatios returns f(a)/f(b) for every round both contenders completed: comparing within a round
// cancels most of the machine's drift between rounds.
func (r *Result) pairedRatios(a, b string, f func(Sample) float64) []float64 {
	sb := r.samplesOf(b)
	var out []float64
	for _, x := range r.samplesOf(a) {
		for _, y := range sb {
			if x.Round == y.Round && f(y) != 0 {
				out = append(out, f(x)/f(y))
			}
		}
	}
	return out
}

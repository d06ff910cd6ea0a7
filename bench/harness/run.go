package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/ternhq/tern/bench/contenders"
)

// Sample is one contender's measurement in one round.
type Sample struct {
	// Round is the round (from 1) the sample comes from.
	Round          int
	QPS            float64
	P50, P99, P999 time.Duration
	// ServerCPU and ClientCPU are CPU time (user + system) per call of each process.
	ServerCPU, ClientCPU time.Duration
	// ServerAllocs and ClientAllocs are heap allocations per call of each process.
	ServerAllocs, ClientAllocs float64
	// ServerCtxSw and ClientCtxSw are context switches (voluntary and involuntary) per call of each
	// process: how often it slept or was preempted, which CPU time does not show.
	ServerCtxSw, ClientCtxSw float64
}

// Result is everything a run measured.
type Result struct {
	Config    Config
	Placement Placement
	Started   time.Time
	Elapsed   time.Duration
	// Samples[i] holds contender i's samples, one per round that succeeded.
	Samples [][]Sample
	// Errs[i] is contender i's first failure, if any.
	Errs []error
	// LoadBefore and LoadAfter are the machine's load averages (1, 5, 15 minutes) around the run.
	LoadBefore, LoadAfter string
}

// Err returns the contenders' failures, joined.
func (r *Result) Err() error { return errors.Join(r.Errs...) }

// Run runs the benchmark: every round runs every contender once, in order.
func Run(cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	place := planPlacement()
	if err := pinProcess(place.ClientCPUs); err != nil {
		return nil, err
	}
	runtime.GOMAXPROCS(place.Procs)
	res := &Result{Config: cfg, Placement: place, Started: time.Now(),
		Samples: make([][]Sample, len(cfg.Contenders)), Errs: make([]error, len(cfg.Contenders)),
		LoadBefore: loadAverage()}
	prog := newProgress(cfg.Progress, cfg.Rounds*len(cfg.Contenders))
	prog.printf("benchmark %s: %d contenders × %d rounds, %d calls each after %d warm-up; %s\n",
		cfg.Tag(), len(cfg.Contenders), cfg.Rounds, cfg.Requests, cfg.Warmup, place)
	for round := 1; round <= cfg.Rounds; round++ {
		for _, i := range roundOrder(len(cfg.Contenders), round) {
			c := cfg.Contenders[i]
			profile := cfg.ProfileDir != "" && round == cfg.Rounds
			s, err := runOnce(cfg, c, place, profile)
			if err != nil {
				err = fmt.Errorf("%s, round %d: %w", c.Name, round, err)
				if res.Errs[i] == nil {
					res.Errs[i] = err
				}
				prog.failed(round, c.Name, err)
				continue
			}
			s.Round = round
			res.Samples[i] = append(res.Samples[i], s)
			prog.done(round, c.Name, s)
		}
	}
	res.Elapsed = time.Since(res.Started)
	res.LoadAfter = loadAverage()
	prog.printf("done in %s\n", res.Elapsed.Round(time.Second))
	return res, nil
}

// roundOrder returns the contenders' indexes in the order round runs them: as given in odd rounds,
// reversed in even ones, so that no contender always runs right after the same neighbour.
func roundOrder(n, round int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
		if round%2 == 0 {
			idx[i] = n - 1 - i
		}
	}
	return idx
}

// loadAverage returns the first three fields of /proc/loadavg, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// runOnce starts the contender's server, warms up, measures cfg.Requests calls and stops the server.
func runOnce(cfg Config, c *contenders.Contender, place Placement, profile bool) (s Sample, err error) {
	srv, err := startServer(c.Name, place.ServerCPUs, place.Procs)
	if err != nil {
		return s, err
	}
	defer func() { err = errors.Join(err, srv.stop()) }()
	p, err := newPool(c, srv.addr, contenders.Config{
		Payload: cfg.Payload, Concurrency: cfg.Concurrency, MuxConns: cfg.MuxConns})
	if err != nil {
		return s, err
	}
	defer func() { err = errors.Join(err, p.close()) }()
	if err := p.drive(cfg.Warmup, srv.kill); err != nil {
		return s, fmt.Errorf("warm-up: %w", err)
	}
	runtime.GC()
	if profile {
		stop, err := startProfiles(cfg.ProfileDir, c.Name, srv)
		if err != nil {
			return s, err
		}
		defer func() { err = errors.Join(err, stop()) }()
	}
	return measure(cfg, p, srv)
}

// measure times cfg.Requests calls and reads both processes' CPU time and allocations around them.
func measure(cfg Config, p *pool, srv *serverProc) (Sample, error) {
	srvBefore, err := srv.stats()
	if err != nil {
		return Sample{}, err
	}
	cliBefore, err := snapshot()
	if err != nil {
		return Sample{}, err
	}
	start := time.Now()
	if err := p.drive(cfg.Requests, srv.kill); err != nil {
		return Sample{}, err
	}
	elapsed := time.Since(start)
	cliAfter, err := snapshot()
	if err != nil {
		return Sample{}, err
	}
	srvAfter, err := srv.stats()
	if err != nil {
		return Sample{}, err
	}
	h := p.merged()
	n := float64(h.Count())
	srvUse, cliUse := srvAfter.sub(srvBefore), cliAfter.sub(cliBefore)
	return Sample{
		QPS:          n / elapsed.Seconds(),
		P50:          h.Quantile(0.50),
		P99:          h.Quantile(0.99),
		P999:         h.Quantile(0.999),
		ServerCPU:    time.Duration(float64(srvUse.CPUNS()) / n),
		ClientCPU:    time.Duration(float64(cliUse.CPUNS()) / n),
		ServerAllocs: float64(srvUse.Mallocs) / n,
		ClientAllocs: float64(cliUse.Mallocs) / n,
		ServerCtxSw:  float64(srvUse.CtxSw) / n,
		ClientCtxSw:  float64(cliUse.CtxSw) / n,
	}, nil
}

// startProfiles starts CPU profiles of the server and of this process (the client) into dir; the
// returned function stops both and writes allocation and mutex-contention profiles next to them.
func startProfiles(dir, name string, srv *serverProc) (func() error, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	prefix := filepath.Join(dir, name)
	if err := srv.profile(prefix + "-server"); err != nil {
		return nil, err
	}
	f, err := os.Create(prefix + "-client-cpu.pprof")
	if err != nil {
		return nil, errors.Join(err, srv.profile(""))
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(err, f.Close(), srv.profile(""))
	}
	prev := runtime.SetMutexProfileFraction(mutexFraction)
	return func() error {
		pprof.StopCPUProfile()
		err := errors.Join(f.Close(), writeProfiles(prefix+"-client"), srv.profile(""))
		runtime.SetMutexProfileFraction(prev)
		return err
	}, nil
}

// mutexFraction samples one mutex contention event in this many while profiling.
const mutexFraction = 10

// writeProfiles writes this process's allocation and mutex-contention profiles to prefix-allocs.pprof
// and prefix-mutex.pprof.
func writeProfiles(prefix string) error {
	var errs []error
	for _, name := range []string{"allocs", "mutex"} {
		f, err := os.Create(prefix + "-" + name + ".pprof")
		if err != nil {
			return err
		}
		errs = append(errs, pprof.Lookup(name).WriteTo(f, 0), f.Close())
	}
	return errors.Join(errs...)
}

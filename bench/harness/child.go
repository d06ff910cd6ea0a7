package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"

	"github.com/ternhq/tern/bench/contenders"
)

// The harness re-executes its own binary in the server role. The environment tells the child what
// to serve; the child prints "ready ADDR" and then answers one-line commands on stdin:
//
//	stats           → "stats USER_NS SYS_NS CTXSW MALLOCS"  (rusage of the whole process, runtime.MemStats)
//	profile PREFIX  → "ok"  (starts a CPU profile into PREFIX-cpu.pprof)
//	unprofile       → "ok"  (stops it; writes PREFIX-allocs.pprof and PREFIX-mutex.pprof)
//	quit            → stops the server and exits
const (
	envRole      = "TERN_BENCH_ROLE"
	envContender = "TERN_BENCH_CONTENDER"
	envCPUs      = "TERN_BENCH_CPUS"
	roleServer   = "server"
)

// ServeIfChild runs the server role and exits when this process was started as the harness's server;
// otherwise it returns at once. Call it first thing in main (and in TestMain).
func ServeIfChild() {
	if os.Getenv(envRole) != roleServer {
		return
	}
	if err := serveChild(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func serveChild(in io.Reader, out io.Writer) error {
	cpus, err := parseCPUList(os.Getenv(envCPUs))
	if err != nil {
		return err
	}
	if err := pinProcess(cpus); err != nil {
		return err
	}
	c, err := contenders.Lookup(os.Getenv(envContender))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	stop, err := c.Serve(ln)
	if err != nil {
		return fmt.Errorf("start %s: %w", c.Name, err)
	}
	fmt.Fprintf(out, "ready %s\n", ln.Addr())
	cmdErr := answerCommands(in, out)
	return errors.Join(cmdErr, stop())
}

// answerCommands serves the command protocol until quit or end of input.
func answerCommands(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	var stopProfile func() error
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		switch cmd {
		case "stats":
			s, err := snapshot()
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "stats %d %d %d %d\n", s.UserNS, s.SysNS, s.CtxSw, s.Mallocs)
		case "profile":
			stop, err := startChildProfile(arg)
			if err != nil {
				return err
			}
			stopProfile = stop
			fmt.Fprintln(out, "ok")
		case "unprofile":
			if stopProfile != nil {
				if err := stopProfile(); err != nil {
					return err
				}
				stopProfile = nil
			}
			fmt.Fprintln(out, "ok")
		case "quit":
			return nil
		default:
			return fmt.Errorf("unknown command %q", sc.Text())
		}
	}
	return sc.Err()
}

// startChildProfile starts a CPU profile into prefix-cpu.pprof and samples mutex contention; the
// returned function stops both and writes the allocation and mutex profiles.
func startChildProfile(prefix string) (func() error, error) {
	f, err := os.Create(prefix + "-cpu.pprof")
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	runtime.SetMutexProfileFraction(mutexFraction)
	return func() error {
		pprof.StopCPUProfile()
		runtime.SetMutexProfileFraction(0)
		return errors.Join(f.Close(), writeProfiles(prefix))
	}, nil
}

// procStats is a snapshot of a process's CPU time, context switches and allocation count.
type procStats struct {
	UserNS, SysNS int64
	// CtxSw counts context switches, voluntary (the process waited) and involuntary.
	CtxSw   int64
	Mallocs uint64
}

// snapshot reads this process's rusage and allocation count.
func snapshot() (procStats, error) {
	var ru syscallRusage
	if err := getrusage(&ru); err != nil {
		return procStats{}, err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return procStats{UserNS: ru.user, SysNS: ru.sys, CtxSw: ru.ctxsw, Mallocs: ms.Mallocs}, nil
}

// sub returns the change from a to s.
func (s procStats) sub(a procStats) procStats {
	return procStats{UserNS: s.UserNS - a.UserNS, SysNS: s.SysNS - a.SysNS, CtxSw: s.CtxSw - a.CtxSw,
		Mallocs: s.Mallocs - a.Mallocs}
}

// CPUNS is the CPU time, user and system.
func (s procStats) CPUNS() int64 { return s.UserNS + s.SysNS }

// Command benchrpc benchmarks Tern against Kitex, grpc-go and a raw netpoll echo, each server in a
// process of its own, and writes a Markdown table and an SVG chart of the results.
//
// Usage:
//
//	benchrpc [-payload 1024] [-concurrency 100] [-requests N] [-rounds 5] [-contenders a,b] [-quick]
//
// Run it from bench/ (make bench-rpc) so that results land in bench/results/.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ternhq/tern/bench/contenders"
	"github.com/ternhq/tern/bench/harness"
)

func main() {
	harness.ServeIfChild()
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchrpc:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cfg := harness.DefaultConfig()
	fs := flag.NewFlagSet("benchrpc", flag.ContinueOnError)
	list := fs.String("contenders", "all", "comma-separated contenders to run, in order: "+strings.Join(contenders.Names(), ", "))
	quick := fs.Bool("quick", false, "smoke run: one round of a few thousand calls at concurrency ≤20")
	fs.IntVar(&cfg.Payload, "payload", cfg.Payload, "message size in `bytes` (published sets: 128, 1024, 16384)")
	fs.IntVar(&cfg.Concurrency, "concurrency", cfg.Concurrency, "calling workers (published sets: 1, 100, 1000)")
	fs.IntVar(&cfg.Requests, "requests", cfg.Requests, "measured calls per contender and round")
	fs.IntVar(&cfg.Warmup, "warmup", cfg.Warmup, "calls before the measured ones")
	fs.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "rounds; each figure is the median over them")
	fs.IntVar(&cfg.MuxConns, "mux-conns", cfg.MuxConns, "connections of the multiplexed clients")
	fs.StringVar(&cfg.OutDir, "out", cfg.OutDir, "`dir`ectory for the table and the chart")
	fs.StringVar(&cfg.ProfileDir, "profile", "", "`dir`ectory for CPU and allocation profiles of each server and client (last round)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if cfg.Contenders, err = contenders.Parse(*list); err != nil {
		return err
	}
	if *quick {
		cfg = cfg.QuickConfig()
	}
	cfg.Progress = os.Stderr
	res, err := harness.Run(cfg)
	if err != nil {
		return err
	}
	files, err := harness.WriteReport(res, cfg.OutDir)
	if err != nil {
		return err
	}
	fmt.Print(harness.Markdown(res))
	for _, f := range files {
		fmt.Fprintln(os.Stderr, "wrote", f)
	}
	return res.Err()
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/finpipe/finpipe/internal/bench"
	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/scheduler/schedbench"
)

func init() {
	registerBench(command{name: "scheduler", summary: "step latency over a 200-task chain and throughput over a 5,000-task fan-out", run: runBenchScheduler})
}

// runBenchScheduler runs the orchestrator benchmark in a throw-away
// database: a fresh embedded PostgreSQL in a temporary directory, or with
// DATABASE_URL a temporary database created on that server and dropped
// afterwards, so it never touches real runs.
func runBenchScheduler(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("bench scheduler", flag.ContinueOnError)
	usageFor(fs, "finpipe bench scheduler [--json] [flags]")
	asJSON := fs.Bool("json", false, "print one JSON object")
	var o schedbench.Options
	fs.IntVar(&o.ChainTasks, "chain", 200, "tasks in the latency chain")
	fs.IntVar(&o.FanoutTasks, "fanout", 5000, "tasks in the throughput fan-out")
	fs.IntVar(&o.Workers, "workers", 2, "in-process workers")
	fs.IntVar(&o.Concurrency, "concurrency", 32, "attempts each worker runs at once")
	cfg := config.Register(fs, config.DatabaseURL)
	if _, err := proc.parseArgs(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	dbURL, cleanup, err := bench.Database(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer cleanup()
	store, err := scheduler.Open(ctx, dbURL, poolFor(o.Workers*o.Concurrency/2, nil))
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := schedbench.Run(ctx, store, o)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(proc.stdout).Encode(res)
	}
	fmt.Fprintf(proc.stdout, "step latency over a %d-task chain: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		res.ChainTasks, res.StepLatencyMS.P50, res.StepLatencyMS.P90, res.StepLatencyMS.P99, res.StepLatencyMS.Max)
	fmt.Fprintf(proc.stdout, "throughput over a %d-task fan-out: %.0f tasks/s (%.2f s) with %d workers × %d on %d CPUs\n",
		res.FanoutTasks, res.ThroughputTasksPerS, res.FanoutSeconds, res.Workers, res.ConcurrencyPerWorker, res.CPUs)
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/pgembed"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/scheduler/pgstore"
	"github.com/finpipe/finpipe/scheduler/schedbench"
)

func init() {
	registerBench(command{name: "scheduler", summary: "step latency over a 200-task chain and throughput over a 5,000-task fan-out", run: runBenchScheduler})
}

// runBenchScheduler runs the orchestrator benchmark in a throw-away
// database: a fresh embedded PostgreSQL in a temporary directory, or with
// DATABASE_URL a temporary database created on that server and dropped
// afterwards, so it never touches real runs.
func runBenchScheduler(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench scheduler", flag.ContinueOnError)
	usageFor(fs, "finpipe bench scheduler [--json] [flags]")
	asJSON := fs.Bool("json", false, "print one JSON object")
	var o schedbench.Options
	fs.IntVar(&o.ChainTasks, "chain", 200, "tasks in the latency chain")
	fs.IntVar(&o.FanoutTasks, "fanout", 5000, "tasks in the throughput fan-out")
	fs.IntVar(&o.Workers, "workers", 2, "in-process workers")
	fs.IntVar(&o.Concurrency, "concurrency", 32, "attempts each worker runs at once")
	cfg := config.Register(fs, config.DatabaseURL)
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	dbURL, cleanup, err := benchDatabase(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer cleanup()
	store, err := scheduler.Open(ctx, dbURL, poolFor(o.Workers*o.Concurrency/2))
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := schedbench.Run(ctx, store, o)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	fmt.Printf("step latency over a %d-task chain: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		res.ChainTasks, res.StepLatencyMS.P50, res.StepLatencyMS.P90, res.StepLatencyMS.P99, res.StepLatencyMS.Max)
	fmt.Printf("throughput over a %d-task fan-out: %.0f tasks/s (%.2f s) with %d workers × %d on %d CPUs\n",
		res.FanoutTasks, res.ThroughputTasksPerS, res.FanoutSeconds, res.Workers, res.ConcurrencyPerWorker, res.CPUs)
	return nil
}

// benchDatabase returns the URL of an empty database and how to remove it.
func benchDatabase(ctx context.Context, serverURL string) (string, func(), error) {
	if serverURL == "" {
		dir, err := os.MkdirTemp("", "finpipe-bench-")
		if err != nil {
			return "", nil, err
		}
		// MkdirTemp's folder is private: as root, pgembed keeps the cluster
		// elsewhere, and Remove deletes it there.
		pgDir := filepath.Join(dir, "pg")
		pg, err := pgembed.Start(ctx, pgembed.Options{DataDir: pgDir, Durable: true})
		if err != nil {
			_ = pgembed.Remove(pgDir)
			os.RemoveAll(dir)
			return "", nil, err
		}
		return pg.URL(), func() { _ = pg.Stop(); _ = pgembed.Remove(pgDir); os.RemoveAll(dir) }, nil
	}
	name := fmt.Sprintf("finpipe_bench_%d", os.Getpid())
	if _, err := pgstore.Exec(ctx, serverURL, "CREATE DATABASE "+pgstore.QuoteIdentifier(name)); err != nil {
		return "", nil, fmt.Errorf("create benchmark database: %w", err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		_, _ = pgstore.Exec(context.Background(), serverURL, "DROP DATABASE IF EXISTS "+pgstore.QuoteIdentifier(name)+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}

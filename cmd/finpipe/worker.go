package main

import (
	"context"
	"flag"
	"log/slog"
	"strings"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	register(command{name: "worker", summary: "run a worker: claim and run task instances (any machine that reaches the database)", run: runWorker})
}

func runWorker(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	usageFor(fs, "finpipe worker [--concurrency N] [--pools a,b] [flags]")
	concurrency := fs.Int("concurrency", 0, "task instances run at once (default: FINPIPE_WORKERS, 4)")
	pools := fs.String("pools", "", "comma-separated `pools` to serve (default: all)")
	grace := fs.Duration("grace", 30*time.Second, "on SIGTERM, how long running tasks may finish before they are handed back")
	p, err := proc.parseEngineProcess(fs, args)
	if err != nil {
		return err
	}
	opts := workerOptions(p.cfg, *concurrency, *pools, *grace, p.log)
	store, err := openStore(ctx, p.cfg, poolFor(opts.Concurrency, p.metrics))
	if err != nil {
		return err
	}
	defer store.Close()
	w := scheduler.NewWorker(store, p.reg, opts)
	return runServices(ctx, p.log, p.services(metrics.Sources{}, service{name: "worker", start: w.Start, stop: w.Stop}))
}

// workerOptions turns flags into options; concurrency 0 means FINPIPE_WORKERS.
func workerOptions(cfg *config.Settings, concurrency int, pools string, grace time.Duration, log *slog.Logger) scheduler.WorkerOptions {
	o := scheduler.WorkerOptions{Concurrency: concurrency, ShutdownGrace: grace, Logger: log}
	if o.Concurrency <= 0 {
		o.Concurrency = cfg.Workers
	}
	for _, p := range strings.Split(pools, ",") {
		if p = strings.TrimSpace(p); p != "" {
			o.Pools = append(o.Pools, p)
		}
	}
	return o
}

package main

import (
	"context"
	"flag"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	register(command{name: "scheduler", summary: "run the scheduler: create runs from schedules, start them, reap dead workers", run: runScheduler})
}

// runScheduler runs only the scheduler; pair it with `finpipe worker`
// processes. Two schedulers against one database are safe.
func runScheduler(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("scheduler", flag.ContinueOnError)
	usageFor(fs, "finpipe scheduler [flags]")
	cfg := config.Register(fs, config.DataDir, config.DatabaseURL, config.LogFormat, config.LogLevel)
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	reg, err := shippedRegistry()
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	log := newLogger(cfg)
	sch := scheduler.NewScheduler(store, reg, scheduler.SchedulerOptions{Logger: log})
	return runServices(ctx, log, []service{{name: "scheduler", start: sch.Start, stop: sch.Stop}})
}

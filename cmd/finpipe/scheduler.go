package main

import (
	"context"
	"flag"

	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	register(command{name: "scheduler", summary: "run the scheduler: create runs from schedules, start them, reap dead workers", run: runScheduler})
}

// runScheduler runs only the scheduler; pair it with `finpipe worker`
// processes. Two schedulers against one database are safe.
func runScheduler(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("scheduler", flag.ContinueOnError)
	usageFor(fs, "finpipe scheduler [flags]")
	p, err := proc.parseEngineProcess(fs, args)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, p.cfg, scheduler.StoreOptions{Metrics: p.metrics})
	if err != nil {
		return err
	}
	defer store.Close()
	opts, closeTopics := schedulerOptions(p.cfg, configuredBrokers(p.cfg), p.log)
	defer closeTopics()
	sch := scheduler.NewScheduler(store, p.reg, opts)
	// One process per deployment counts task states for /metrics: the scheduler.
	return runServices(ctx, p.log, p.services(metrics.Sources{States: store}, service{name: "scheduler", start: sch.Start, stop: sch.Stop},
		retentionService(p.cfg, func() *scheduler.Store { return store }, p.log)))
}

package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/internal/pgembed"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	register(command{name: "standalone", summary: "everything in one process: embedded PostgreSQL (unless DATABASE_URL), migrations, scheduler and workers", run: runStandalone})
}

// standalone is the state its services share; each service's start fills
// in what later services use.
type standalone struct {
	cfg   *config.Settings
	log   *slog.Logger
	reg   *scheduler.Registry
	pg    *pgembed.Server
	store *scheduler.Store
	grace time.Duration
}

func runStandalone(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("standalone", flag.ContinueOnError)
	usageFor(fs, "finpipe standalone [flags]")
	grace := fs.Duration("grace", 30*time.Second, "on SIGTERM, how long running tasks may finish before they are handed back")
	p, err := parseEngineProcess(fs, args, config.Workers)
	if err != nil {
		return err
	}
	st := &standalone{cfg: p.cfg, log: p.log, reg: p.reg, grace: *grace}
	return runServices(ctx, st.log, st.services())
}

// services lists standalone's parts in start order: database first, then
// the schema, the scheduler and the workers.
func (st *standalone) services() []service {
	sch := func() *scheduler.Scheduler {
		return scheduler.NewScheduler(st.store, st.reg, scheduler.SchedulerOptions{Logger: st.log})
	}
	var s *scheduler.Scheduler
	var w *scheduler.Worker
	return []service{
		{name: "postgres", start: st.startPostgres, stop: st.stopPostgres},
		{name: "migrations", start: st.migrate},
		{name: "scheduler",
			start: func(ctx context.Context) error { s = sch(); return s.Start(ctx) },
			stop:  func(ctx context.Context) error { return s.Stop(ctx) }},
		{name: "workers",
			start: func(ctx context.Context) error {
				w = scheduler.NewWorker(st.store, st.reg, workerOptions(st.cfg, 0, "", st.grace, st.log))
				return w.Start(ctx)
			},
			stop: func(ctx context.Context) error { return w.Stop(ctx) }},
	}
}

// startPostgres connects to DATABASE_URL, or starts the embedded server
// under <data dir>/postgres.
func (st *standalone) startPostgres(ctx context.Context) error {
	url := st.cfg.DatabaseURL
	if url == "" {
		st.log.Info("starting embedded PostgreSQL", "dir", embeddedPGDir(st.cfg))
		pg, err := pgembed.Start(ctx, pgembed.Options{DataDir: embeddedPGDir(st.cfg), Durable: true})
		if err != nil {
			return err
		}
		st.pg, url = pg, pg.URL()
	}
	store, err := scheduler.Open(ctx, url, poolFor(st.cfg.Workers))
	if err != nil {
		if st.pg != nil {
			_ = st.pg.Stop()
		}
		return err
	}
	st.store = store
	metrics.SetStateCounter(store)
	return nil
}

func (st *standalone) stopPostgres(context.Context) error {
	metrics.SetStateCounter(nil)
	st.store.Close()
	if st.pg != nil {
		return st.pg.Stop()
	}
	return nil
}

func (st *standalone) migrate(ctx context.Context) error {
	applied, err := st.store.Migrate(ctx)
	for _, m := range applied {
		st.log.Info("applied migration", "version", fmt.Sprintf("%04d_%s", m.Version, m.Name))
	}
	return err
}

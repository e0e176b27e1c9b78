package pipeline

import (
	"context"
	"io"
	"log/slog"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/bench"
	"github.com/finpipe/finpipe/scheduler"
)

// engine is the orchestrator the benchmark drains through: a throw-away
// database, one scheduler and one worker in this process, as `finpipe
// standalone` runs them.
type engine struct {
	store *scheduler.Store
	stops []func()
}

// startEngine brings up the database, the schema, the scheduler and a
// worker, with the medallion DAG alone registered (the other pipeline DAGs
// would only race the benchmark's runs for Gold).
func startEngine(ctx context.Context, o Options, p dags.Pipeline) (e *engine, err error) {
	e = &engine{}
	defer func() {
		if err != nil {
			e.stop()
		}
	}()
	url, drop, err := bench.Database(ctx, o.DatabaseURL)
	if err != nil {
		return e, err
	}
	e.stops = append(e.stops, drop)
	workers := max(o.Workers, max(o.IngestGroups, 1))
	if e.store, err = scheduler.Open(ctx, url, scheduler.StoreOptions{MaxConns: int32(workers + 6)}); err != nil {
		return e, err
	}
	e.stops = append(e.stops, e.store.Close)
	if _, err := e.store.Migrate(ctx); err != nil {
		return e, err
	}
	reg, err := scheduler.NewRegistry(dags.Medallion(p))
	if err != nil {
		return e, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sch := scheduler.NewScheduler(e.store, reg, scheduler.SchedulerOptions{Logger: quiet})
	if err := sch.Start(ctx); err != nil {
		return e, err
	}
	e.stops = append(e.stops, func() { _ = sch.Stop(context.Background()) })
	w := scheduler.NewWorker(e.store, reg, scheduler.WorkerOptions{Concurrency: workers, Logger: quiet})
	if err := w.Start(ctx); err != nil {
		return e, err
	}
	e.stops = append(e.stops, func() { _ = w.Stop(context.Background()) })
	return e, nil
}

// stop ends what startEngine started, in reverse order.
func (e *engine) stop() {
	for i := len(e.stops) - 1; i >= 0; i-- {
		e.stops[i]()
	}
	e.stops = nil
}

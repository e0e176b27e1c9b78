package bench

import (
	"context"
	"io"
	"log/slog"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/scheduler"
)

// Engine is the orchestrator a pipeline benchmark drains through: a
// throw-away database, one scheduler and one worker in this process, as
// `finpipe standalone` runs them.
type Engine struct {
	Store *scheduler.Store
	stops []func()
}

// StartEngine brings up the database (on serverURL, or embedded: see
// Database), the schema, the scheduler and a worker running workers tasks
// at once, with the medallion DAG of p alone registered (the other
// pipeline DAGs would only race the benchmark's runs for Gold).
func StartEngine(ctx context.Context, serverURL string, workers int, p dags.Pipeline) (e *Engine, err error) {
	e = &Engine{}
	defer func() {
		if err != nil {
			e.Stop()
		}
	}()
	url, drop, err := Database(ctx, serverURL)
	if err != nil {
		return e, err
	}
	e.stops = append(e.stops, drop)
	workers = max(workers, p.IngestGroups, 1)
	if e.Store, err = scheduler.Open(ctx, url, scheduler.StoreOptions{MaxConns: int32(workers + 6)}); err != nil {
		return e, err
	}
	e.stops = append(e.stops, e.Store.Close)
	if _, err := e.Store.Migrate(ctx); err != nil {
		return e, err
	}
	reg, err := dags.RegistryOf(p, dags.Medallion(p))
	if err != nil {
		return e, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The Kafka watcher queues the medallion DAG's runs on new offsets, as
	// in a deployment: the benchmark measures the asset-triggered path.
	topics := kafka.NewEndOffsetReader(kafka.Conn{Brokers: p.Brokers, Security: p.Security})
	e.stops = append(e.stops, topics.Close)
	sch := scheduler.NewScheduler(e.Store, reg, scheduler.SchedulerOptions{Logger: quiet, Topics: topics})
	if err := sch.Start(ctx); err != nil {
		return e, err
	}
	e.stops = append(e.stops, func() { _ = sch.Stop(context.Background()) })
	w := scheduler.NewWorker(e.Store, reg, scheduler.WorkerOptions{Concurrency: workers, Logger: quiet})
	if err := w.Start(ctx); err != nil {
		return e, err
	}
	e.stops = append(e.stops, func() { _ = w.Stop(context.Background()) })
	return e, nil
}

// Stop ends what StartEngine started, in reverse order.
func (e *Engine) Stop() {
	for i := len(e.stops) - 1; i >= 0; i-- {
		e.stops[i]()
	}
	e.stops = nil
}

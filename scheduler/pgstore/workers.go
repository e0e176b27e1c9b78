package pgstore

import (
	"context"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

func (e executor) RegisterWorker(ctx context.Context, w model.WorkerInfo) error {
	pid := w.PID
	if pid == 0 {
		pid = os.Getpid()
	}
	_, err := e.exec(ctx, sqlRegisterWorker, w.WorkerID, w.Hostname, pid, nonNil(w.Pools), w.Concurrency)
	return err
}

func (e executor) Heartbeat(ctx context.Context, workerID string) ([]driver.AttemptKey, error) {
	rows, err := e.q.Query(ctx, sqlHeartbeat, workerID)
	return collect(rows, err, func(r pgx.Row) (driver.AttemptKey, error) {
		var k driver.AttemptKey
		err := r.Scan(&k.RunID, &k.TaskID, &k.Try)
		return k, err
	})
}

func (e executor) ReleaseQueued(ctx context.Context, workerID string) error {
	_, err := e.exec(ctx, sqlReleaseQueued, workerID)
	return err
}

func (e executor) StopWorker(ctx context.Context, workerID string) error {
	_, err := e.exec(ctx, sqlStopWorker, workerID)
	return err
}

func (e executor) Orphans(ctx context.Context, after time.Duration) ([]driver.Orphan, error) {
	rows, err := e.q.Query(ctx, sqlOrphans, after.Seconds())
	return collect(rows, err, func(r pgx.Row) (driver.Orphan, error) {
		var o driver.Orphan
		var delay, maxDelay int64
		err := r.Scan(&o.RunID, &o.TaskID, &o.Try, &o.MaxTries, &delay, &maxDelay, &o.Exponential, &o.Worker)
		o.RetryDelay, o.MaxRetryDelay = fromMS(delay), fromMS(maxDelay)
		return o, err
	})
}

func (e executor) ListWorkers(ctx context.Context) ([]model.WorkerInfo, error) {
	rows, err := e.q.Query(ctx, sqlListWorkers)
	return collect(rows, err, func(r pgx.Row) (model.WorkerInfo, error) {
		var w model.WorkerInfo
		err := r.Scan(&w.WorkerID, &w.Hostname, &w.PID, &w.Pools, &w.Concurrency, &w.StartedAt,
			&w.HeartbeatAt, &w.StoppedAt, &w.Running)
		return w, err
	})
}

func (e executor) ListListeners(ctx context.Context, channel string) ([]model.SchedulerConn, error) {
	rows, err := e.q.Query(ctx, sqlListListeners, listenSQL(channel))
	return collect(rows, err, func(r pgx.Row) (model.SchedulerConn, error) {
		var c model.SchedulerConn
		err := r.Scan(&c.PID, &c.Client, &c.ConnectedAt)
		return c, err
	})
}

func (e executor) ListPools(ctx context.Context) ([]model.Pool, error) {
	rows, err := e.q.Query(ctx, sqlListPools)
	return collect(rows, err, func(r pgx.Row) (model.Pool, error) {
		var p model.Pool
		err := r.Scan(&p.Name, &p.Slots, &p.Description, &p.Occupied)
		return p, err
	})
}

func (e executor) SetPool(ctx context.Context, p model.Pool) error {
	_, err := e.exec(ctx, sqlSetPool, p.Name, p.Slots, p.Description)
	return err
}

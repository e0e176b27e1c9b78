package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/scheduler/pgstore"
	"github.com/finpipe/finpipe/scheduler/schedbench"
)

// loadScheduler queues RELIABILITY_LOAD_TASKS no-op task instances at once
// (one run of a fan-out DAG) for RELIABILITY_LOAD_WORKERS workers, through
// the orchestrator benchmark's engine on a fresh durable PostgreSQL.
func loadScheduler(ctx context.Context, e *suite) row {
	r := row{scenario: "load: scheduler backlog"}
	pg, err := startPostgres(ctx, filepath.Join(e.dir("load-scheduler"), "pg"))
	if err != nil {
		r.fail("postgres: %v", err)
		return r
	}
	defer pg.stop()
	store, err := scheduler.Open(ctx, pg.url)
	if err != nil {
		r.fail("store: %v", err)
		return r
	}
	defer store.Close()
	res, err := schedbench.Run(ctx, store, schedbench.Options{ChainTasks: 50, FanoutTasks: e.s.loadTasks,
		Workers: e.s.loadWorkers, Concurrency: 16})
	if err != nil {
		r.fail("%v", err)
		return r
	}
	p50, p99, err := fanoutClaimWait(ctx, pg.url)
	if err != nil {
		r.fail("claim wait: %v", err)
	}
	done, err := queryInt(ctx, pg.url, `SELECT count(*) FROM task_instances WHERE dag_id = 'bench_fanout' AND state = 'success'`)
	if err != nil || done != int64(e.s.loadTasks)+1 {
		r.lost = int64(e.s.loadTasks) + 1 - done
		r.fail("%d of %d fan-out tasks succeeded (%v)", done, e.s.loadTasks+1, err)
	}
	if checks, err := checkOrchestrator(ctx, pg.url); err != nil {
		r.fail("checks: %v", err)
	} else {
		checks.report(&r)
	}
	r.load = fmt.Sprintf("%d queued no-op tasks, %d workers × 16: %.0f tasks/s; wait from ready to started (behind the backlog) p50 %.1f s, p99 %.1f s; idle-queue step latency p99 %.1f ms",
		e.s.loadTasks, e.s.loadWorkers, res.ThroughputTasksPerS, p50, p99, res.StepLatencyMS.P99)
	if res.ThroughputTasksPerS < e.s.minTasksPerSec {
		r.fail("%.0f tasks/s is under %.0f", res.ThroughputTasksPerS, e.s.minTasksPerSec)
	}
	return r
}

// fanoutClaimWait is, over the fan-out's children, the time from their
// becoming ready (the root's end) to their start, in seconds: exact, from
// the timestamps PostgreSQL recorded.
func fanoutClaimWait(ctx context.Context, dbURL string) (p50, p99 float64, err error) {
	err = pgstore.QueryRow(ctx, dbURL, `
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w), percentile_cont(0.99) WITHIN GROUP (ORDER BY w)
FROM (SELECT extract(epoch FROM c.start_date - s.end_date)::float8 AS w
      FROM task_instances c JOIN task_instances s ON s.run_id = c.run_id AND s.task_id = 'start'
      WHERE c.dag_id = 'bench_fanout' AND c.task_id <> 'start') x`, nil, &p50, &p99)
	return p50, p99, err
}

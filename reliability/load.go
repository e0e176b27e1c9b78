package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"time"

	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/scheduler"
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
	before := claimHistogram()
	res, err := schedbench.Run(ctx, store, schedbench.Options{ChainTasks: 50, FanoutTasks: e.s.loadTasks,
		Workers: e.s.loadWorkers, Concurrency: 16})
	if err != nil {
		r.fail("%v", err)
		return r
	}
	after := claimHistogram()
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
	r.load = fmt.Sprintf("%d queued no-op tasks, %d workers × 16: %.0f tasks/s; claim wait (ready → claimed, behind the backlog) p50 %s, p99 %s; idle-queue step latency p99 %.1f ms",
		e.s.loadTasks, e.s.loadWorkers, res.ThroughputTasksPerS, histQuantile(before, after, 0.5), histQuantile(before, after, 0.99), res.StepLatencyMS.P99)
	if res.ThroughputTasksPerS < e.s.minTasksPerSec {
		r.fail("%.0f tasks/s is under %.0f", res.ThroughputTasksPerS, e.s.minTasksPerSec)
	}
	return r
}

// claimHistogram reads the cumulative buckets of the claim latency
// histogram that the engine's workers observe.
func claimHistogram() map[float64]uint64 {
	out := map[float64]uint64{}
	mfs, err := metrics.Registry.Gather()
	if err != nil {
		return out
	}
	for _, mf := range mfs {
		if mf.GetName() != "finpipe_task_claim_latency_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			h := m.GetHistogram()
			for _, b := range h.GetBucket() {
				out[b.GetUpperBound()] += b.GetCumulativeCount()
			}
			out[math.Inf(1)] += h.GetSampleCount()
		}
	}
	return out
}

// histQuantile is the upper bound of the bucket holding quantile q of the
// observations made between two reads.
func histQuantile(before, after map[float64]uint64, q float64) string {
	total := after[math.Inf(1)] - before[math.Inf(1)]
	if total == 0 {
		return "n/a"
	}
	var bounds []float64
	for b := range after {
		bounds = append(bounds, b)
	}
	sort.Float64s(bounds)
	for _, b := range bounds {
		if float64(after[b]-before[b]) >= q*float64(total) {
			if math.IsInf(b, 1) {
				return "> " + time.Duration(bounds[len(bounds)-2]*float64(time.Second)).String()
			}
			return "≤ " + (time.Duration(b * float64(time.Second))).String()
		}
	}
	return "n/a"
}

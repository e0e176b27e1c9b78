package dags

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

// ExampleETL is a small DAG that shows the orchestrator working before the
// pipeline DAGs exist: every minute, extract → (validate, enrich) → load →
// report. "enrich" fails its first attempt about half the time, so retries
// with exponential backoff are visible in the UI; "report" runs whatever
// happened (all_done).
func ExampleETL() *scheduler.DAG {
	d := scheduler.NewDAG("example_etl", scheduler.DAGOptions{
		Schedule:      "* * * * *",
		StartDate:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		MaxActiveRuns: 1,
		Params:        map[string]any{"rows": 100.0},
		Description:   "Example: extract, validate and enrich in parallel, load, report; enrich is flaky and retries",
		Tags:          []string{"example"},
	})
	d.Task("extract", extract, scheduler.TaskOptions{Timeout: 30 * time.Second})
	d.Task("validate", pause(50*time.Millisecond, "validated"), scheduler.TaskOptions{Upstream: []string{"extract"}})
	d.Task("enrich", flakyEnrich, scheduler.TaskOptions{
		Upstream: []string{"extract"}, Retries: 3, RetryDelay: 2 * time.Second,
		ExponentialBackoff: true, MaxRetryDelay: 30 * time.Second, Timeout: 30 * time.Second,
	})
	d.Task("load", pause(100*time.Millisecond, "loaded"), scheduler.TaskOptions{Upstream: []string{"validate", "enrich"}})
	d.Task("report", report, scheduler.TaskOptions{Upstream: []string{"load"}, TriggerRule: scheduler.AllDone})
	return d
}

func extract(ctx context.Context, tc *scheduler.TaskContext) error {
	tc.Log.Info("extracting", "rows", tc.Params["rows"], "interval_start", tc.DataIntervalStart, "interval_end", tc.DataIntervalEnd)
	return sleep(ctx, 100*time.Millisecond)
}

// pause returns a task that waits d and logs msg: stand-in work.
func pause(d time.Duration, msg string) scheduler.TaskFunc {
	return func(ctx context.Context, tc *scheduler.TaskContext) error {
		if err := sleep(ctx, d); err != nil {
			return err
		}
		tc.Log.Info(msg, "logical_date", tc.LogicalDate)
		return nil
	}
}

func flakyEnrich(ctx context.Context, tc *scheduler.TaskContext) error {
	if tc.TryNumber == 1 && rand.IntN(2) == 0 {
		tc.Log.Warn("enrichment service unavailable (simulated)")
		return errors.New("enrichment service unavailable (simulated flake)")
	}
	tc.Log.Info("enriched")
	return sleep(ctx, 50*time.Millisecond)
}

func report(ctx context.Context, tc *scheduler.TaskContext) error {
	tc.Log.Info("run report", "run_id", tc.RunID)
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// TestCleanRunsDeletesOnlyOldFinishedRuns: runs that ended before the
// cutoff go with their task instances, attempts and log lines, batch by
// batch; running runs, recent runs and a DAG's newest scheduled run stay.
func TestCleanRunsDeletesOnlyOldFinishedRuns(t *testing.T) {
	s, url := newTestStoreURL(t)
	ctx := context.Background()
	d := NewDAG("retained", DAGOptions{})
	logTwice := func(_ context.Context, tc *TaskContext) error {
		tc.Log.Info("one")
		tc.Log.Info("two")
		return nil
	}
	d.Task("a", logTwice, TaskOptions{})
	d.Task("b", logTwice, TaskOptions{Upstream: []string{"a"}})
	e := startEngine(t, s, mustRegistry(t, d), 1)
	var ids []string
	for i := 0; i < 5; i++ {
		r := trigger(t, s, "retained", nil)
		waitRun(t, s, r.RunID, 20*time.Second)
		ids = append(ids, r.RunID)
	}
	// Stop the scheduler so that nothing finishes the run made "running"
	// below (workers only finish runs when a task ends).
	_ = e.sch.Stop(ctx)
	// ids[0] and ids[2] are old and finished: cleanable. ids[1] is old but
	// running, ids[3] old but the newest scheduled run, ids[4] recent.
	age := func(id, state, runType string) {
		t.Helper()
		if _, err := pgstore.Exec(ctx, url, `UPDATE dag_runs SET end_date = now() - interval '40 days',
			state = $2, run_type = $3 WHERE run_id = $1`, id, state, runType); err != nil {
			t.Fatal(err)
		}
	}
	age(ids[0], "success", "manual")
	age(ids[1], "running", "manual")
	age(ids[2], "failed", "scheduled")
	age(ids[3], "success", "scheduled")
	// A worker that crashed 40 days ago left its registry row.
	if err := s.drv.RegisterWorker(ctx, WorkerInfo{WorkerID: "gone", Hostname: "host", PID: 1, Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Exec(ctx, url, `UPDATE workers SET heartbeat_at = now() - interval '40 days' WHERE worker_id = 'gone'`); err != nil {
		t.Fatal(err)
	}
	cutoff := time.Now().Add(-30 * 24 * time.Hour)

	want := CleanResult{Runs: 2, TaskInstances: 4, Attempts: 4, LogLines: 8, Workers: 1}
	dry, err := s.CleanRuns(ctx, cutoff, CleanOptions{DryRun: true})
	if err != nil || dry != want {
		t.Fatalf("dry run %+v %v, want %+v", dry, err, want)
	}
	if _, err := s.GetRun(ctx, ids[0]); err != nil {
		t.Fatalf("dry run deleted: %v", err)
	}
	var batches []CleanResult
	got, err := s.CleanRuns(ctx, cutoff, CleanOptions{BatchSize: 1, Progress: func(r CleanResult) { batches = append(batches, r) }})
	if err != nil || got != want {
		t.Fatalf("clean %+v %v, want %+v", got, err, want)
	}
	if workers, err := s.ListWorkers(ctx); err != nil || len(workers) != 1 || workers[0].WorkerID == "gone" {
		t.Errorf("workers after clean %+v %v, want only the live one", workers, err)
	}
	if len(batches) != 2 || batches[0].Runs != 1 {
		t.Errorf("progress %+v, want two batches of one run", batches)
	}
	for i, id := range ids {
		_, err := s.GetRun(ctx, id)
		gone := errors.Is(err, ErrNotFound)
		if wantGone := i == 0 || i == 2; gone != wantGone {
			t.Errorf("run %d: gone=%v (err %v), want gone=%v", i, gone, err, wantGone)
		}
	}
	if lines, err := s.AttemptLog(ctx, ids[0], "a", 1, 0, 100); err == nil && len(lines) > 0 {
		t.Errorf("log lines of a deleted run remain: %v", lines)
	}
	if lines, err := s.AttemptLog(ctx, ids[4], "a", 1, 0, 100); err != nil || len(lines) != 2 {
		t.Errorf("log of a kept run: %v %v", lines, err)
	}
	if again, err := s.CleanRuns(ctx, cutoff, CleanOptions{}); err != nil || again != (CleanResult{}) {
		t.Errorf("second clean %+v %v, want nothing", again, err)
	}
}

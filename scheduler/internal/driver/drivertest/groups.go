package drivertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

// claimFencing: a claim starts the attempt with try+1; a report for an
// older try is rejected; only the holder of the current try may finish.
func claimFencing(t *testing.T, d driver.Driver) {
	dag := dagOf(t, d, "fence", 16, driver.TaskDef{TaskID: "t", Retries: 1})
	run := runOf(t, d, dag, 1)
	first := claim(t, d, "w1", 5, dag)
	if len(first) != 1 || first[0].Try != 1 || first[0].MaxTries != 1 {
		t.Fatalf("first claim: %+v", first)
	}
	if ti := state(t, d, run.RunID, "t"); ti.State != model.TaskRunning || ti.Hostname != "host-w1" {
		t.Fatalf("a claimed attempt is started in the claim: %s on %q", ti.State, ti.Hostname)
	}
	if again := claim(t, d, "w2", 5, dag); len(again) != 0 {
		t.Fatalf("a running task was claimed twice: %+v", again)
	}
	if !finish(t, d, first[0], model.TaskUpForRetry, 0) {
		t.Fatal("the holder's report was fenced off")
	}
	second := claim(t, d, "w2", 5, dag)
	if len(second) != 1 || second[0].Try != 2 {
		t.Fatalf("retry claim: %+v", second)
	}
	if finish(t, d, first[0], model.TaskFailed, 0) {
		t.Fatal("a report for try 1 overwrote try 2")
	}
	if ti := state(t, d, run.RunID, "t"); ti.State != model.TaskRunning || ti.TryNumber != 2 {
		t.Fatalf("after the stale report: %s try %d", ti.State, ti.TryNumber)
	}
	if !finish(t, d, second[0], model.TaskSuccess, 0) {
		t.Fatal("try 2's report was fenced off")
	}
	atts, err := d.ListAttempts(context.Background(), run.RunID, "t")
	must(t, err)
	if len(atts) != 2 || atts[0].State != model.TaskFailed || atts[1].State != model.TaskSuccess {
		t.Fatalf("attempt history: %+v", atts)
	}
}

// heartbeats: a heartbeat returns the attempts the worker holds; an
// attempt whose worker stopped heartbeating is an orphan; a stopped
// worker's unstarted claims go back uncharged.
func heartbeats(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	dag := dagOf(t, d, "beat", 16, driver.TaskDef{TaskID: "t", Retries: 2, RetryDelay: time.Second})
	run := runOf(t, d, dag, 1)
	must(t, d.RegisterWorker(ctx, model.WorkerInfo{WorkerID: "w1", Hostname: "host-w1", Concurrency: 1}))
	c := claim(t, d, "w1", 1, dag)
	held, err := d.Heartbeat(ctx, "w1")
	must(t, err)
	if len(held) != 1 || held[0] != (driver.AttemptKey{RunID: run.RunID, TaskID: "t", Try: 1}) || len(c) != 1 {
		t.Fatalf("heartbeat: %+v (claimed %+v)", held, c)
	}
	orphans, err := d.Orphans(ctx, time.Hour)
	must(t, err)
	if len(orphans) != 0 {
		t.Fatalf("a live worker's attempt is an orphan: %+v", orphans)
	}
	must(t, d.StopWorker(ctx, "w1"))
	orphans, err = d.Orphans(ctx, time.Hour)
	must(t, err)
	if len(orphans) != 1 || orphans[0].Worker != "w1" || orphans[0].MaxTries != 2 || orphans[0].RetryDelay != time.Second {
		t.Fatalf("a stopped worker's attempt: %+v", orphans)
	}
	workers, err := d.ListWorkers(ctx)
	must(t, err)
	if len(workers) != 1 || workers[0].StoppedAt == nil || workers[0].Running != 1 {
		t.Fatalf("workers: %+v", workers)
	}
}

// retries: an up_for_retry attempt is claimable again only once its delay
// has passed, with the next try number.
func retries(t *testing.T, d driver.Driver) {
	dag := dagOf(t, d, "retry", 16, driver.TaskDef{TaskID: "t", Retries: 3, RetryDelay: time.Hour})
	run := runOf(t, d, dag, 1)
	c := claim(t, d, "w1", 1, dag)
	finish(t, d, c[0], model.TaskUpForRetry, time.Hour)
	if again := claim(t, d, "w1", 1, dag); len(again) != 0 {
		t.Fatalf("claimed before its retry delay: %+v", again)
	}
	ti := state(t, d, run.RunID, "t")
	if ti.State != model.TaskUpForRetry || ti.ReadyAt == nil || time.Until(*ti.ReadyAt) < 50*time.Minute {
		t.Fatalf("up_for_retry: %s ready %v", ti.State, ti.ReadyAt)
	}
	dag2 := dagOf(t, d, "retry_now", 16, driver.TaskDef{TaskID: "t", Retries: 3})
	runOf(t, d, dag2, 1)
	c = claim(t, d, "w1", 1, dag2)
	finish(t, d, c[0], model.TaskUpForRetry, 0)
	if again := claim(t, d, "w1", 1, dag2); len(again) != 1 || again[0].Try != 2 {
		t.Fatalf("retry without delay: %+v", again)
	}
}

// clearAndMark: clear resets finished tasks with a fresh budget and leaves
// active ones alone; mark sets a state; the downstream counters follow.
func clearAndMark(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	dag := dagOf(t, d, "cm", 16, driver.TaskDef{TaskID: "a", Retries: 1}, driver.TaskDef{TaskID: "b", Upstream: []string{"a"}})
	run := runOf(t, d, dag, 1)
	c := claim(t, d, "w1", 1, dag)
	n, err := d.ClearTaskInstances(ctx, run.RunID, []string{"a", "b"})
	must(t, err)
	if n != 1 { // b is waiting (cleared again: a no-op reset); a is running and kept
		t.Fatalf("cleared %d tasks, want only the waiting one", n)
	}
	if ti := state(t, d, run.RunID, "a"); ti.State != model.TaskRunning {
		t.Fatalf("clear touched a running attempt: %s", ti.State)
	}
	finish(t, d, c[0], model.TaskFailed, 0)
	n, err = d.ClearTaskInstances(ctx, run.RunID, []string{"a"})
	must(t, err)
	if ti := state(t, d, run.RunID, "a"); n != 1 || ti.State != model.TaskNone || ti.MaxTries != ti.TryNumber+1 {
		t.Fatalf("after clear: %d cleared, %s try %d max %d", n, ti.State, ti.TryNumber, ti.MaxTries)
	}
	must(t, d.MarkTaskInstance(ctx, run.RunID, "a", model.TaskSuccess))
	waiting, err := d.RecountUpstream(ctx, run.RunID)
	must(t, err)
	if len(waiting) != 1 || waiting[0].TaskID != "b" || waiting[0].Done != 1 || waiting[0].Success != 1 || waiting[0].Total != 1 {
		t.Fatalf("recount after mark: %+v", waiting)
	}
	must(t, d.DecideTaskInstances(ctx, run.RunID, []string{"b"}, []model.TaskState{model.TaskScheduled}))
	if ti := state(t, d, run.RunID, "b"); ti.State != model.TaskScheduled || ti.ReadyAt == nil {
		t.Fatalf("decided: %s", ti.State)
	}
	must(t, d.MarkRunTaskInstances(ctx, run.RunID, model.RunFailed))
	must(t, d.SetRunState(ctx, run.RunID, model.RunFailed))
	if ti := state(t, d, run.RunID, "b"); ti.State != model.TaskSkipped {
		t.Fatalf("a waiting task of a run marked failed: %s", ti.State)
	}
	r, err := d.GetRun(ctx, run.RunID)
	must(t, err)
	if r.State != model.RunFailed || r.EndDate == nil {
		t.Fatalf("run marked failed: %s end %v", r.State, r.EndDate)
	}
}

// pools: a claim never exceeds a pool's slots, and a freed slot is reused.
func pools(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	must(t, d.SetPool(ctx, model.Pool{Name: "narrow", Slots: 1}))
	dag := dagOf(t, d, "pooled", 16, driver.TaskDef{TaskID: "a", Pool: "narrow"}, driver.TaskDef{TaskID: "b", Pool: "narrow"})
	runOf(t, d, dag, 1)
	c := claim(t, d, "w1", 5, dag)
	if len(c) != 1 {
		t.Fatalf("a one-slot pool gave %d attempts", len(c))
	}
	ps, err := d.ListPools(ctx)
	must(t, err)
	for _, p := range ps {
		if p.Name == "narrow" && p.Occupied != 1 {
			t.Fatalf("pool occupancy: %+v", p)
		}
	}
	finish(t, d, c[0], model.TaskSuccess, 0)
	if c := claim(t, d, "w1", 5, dag); len(c) != 1 {
		t.Fatalf("after the slot freed: %d claimed", len(c))
	}
}

// limits: max_active_tasks bounds a DAG's running tasks; a paused DAG
// gives none; max_active_runs bounds promotion.
func limits(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	dag := dagOf(t, d, "limited", 2, driver.TaskDef{TaskID: "a"}, driver.TaskDef{TaskID: "b"}, driver.TaskDef{TaskID: "c"})
	runOf(t, d, dag, 1)
	if c := claim(t, d, "w1", 10, dag); len(c) != 2 {
		t.Fatalf("max_active_tasks 2 gave %d", len(c))
	}
	paused := dagOf(t, d, "paused", 16, driver.TaskDef{TaskID: "a"})
	runOf(t, d, paused, 1)
	must(t, d.PauseDAG(ctx, paused, true))
	if c := claim(t, d, "w1", 10, paused); len(c) != 0 {
		t.Fatalf("a paused DAG gave %d", len(c))
	}
	must(t, d.UpsertDAG(ctx, driver.DAGDef{DAGID: "one_run", MaxActiveRuns: 1, MaxActiveTasks: 16}))
	must(t, d.ReplaceDAGTasks(ctx, "one_run", []driver.TaskDef{{TaskID: "a", Pool: "default_pool", TriggerRule: model.AllSuccess}}))
	runOf(t, d, "one_run", 1)
	second := runOf(t, d, "one_run", 2)
	if r, err := d.GetRun(ctx, second.RunID); err != nil || r.State != model.RunQueued {
		t.Fatalf("max_active_runs 1 started a second run: %s %v", r.State, err)
	}
	stats, err := d.DAGRunStats(ctx, "one_run")
	must(t, err)
	if stats.Active != 2 || stats.Paused {
		t.Fatalf("run stats: %+v", stats)
	}
}

// backfills: one active backfill per DAG; state moves only from the
// states asked; completion once no run is left.
func backfills(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	dag := dagOf(t, d, "bf", 16, driver.TaskDef{TaskID: "a"})
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b, err := d.InsertBackfill(ctx, model.Backfill{DAGID: dag, From: from, To: from.Add(48 * time.Hour), Reprocess: "none", MaxActiveRuns: 1})
	must(t, err)
	if b.State != "running" || b.ID == 0 {
		t.Fatalf("new backfill: %+v", b)
	}
	if _, err := d.InsertBackfill(ctx, model.Backfill{DAGID: dag, From: from, To: from, Reprocess: "none", MaxActiveRuns: 1}); !errors.Is(err, driver.ErrConflict) {
		t.Fatalf("a second active backfill: %v, want ErrConflict", err)
	}
	if id, err := d.ActiveBackfill(ctx, dag); err != nil || id != b.ID {
		t.Fatalf("active backfill: %d %v", id, err)
	}
	r, _, err := d.InsertRun(ctx, driver.NewRun{RunID: "bf_run", DAGID: dag, RunType: model.RunTypeBackfill, LogicalDate: from,
		IntervalStart: from, IntervalEnd: from.Add(24 * time.Hour), BackfillID: &b.ID})
	must(t, err)
	if moved, err := d.SetBackfillState(ctx, b.ID, []string{"paused"}, "running"); err != nil || moved {
		t.Fatalf("unpause of a running backfill moved it: %v %v", moved, err)
	}
	if n, err := d.CompleteBackfills(ctx); err != nil || n != 0 {
		t.Fatalf("completed a backfill with a queued run: %d %v", n, err)
	}
	queued, err := d.QueuedBackfillRuns(ctx, b.ID)
	must(t, err)
	if len(queued) != 1 || queued[0] != r.RunID {
		t.Fatalf("queued runs: %v", queued)
	}
	must(t, d.SetRunState(ctx, r.RunID, model.RunSuccess))
	if n, err := d.CompleteBackfills(ctx); err != nil || n != 1 {
		t.Fatalf("complete: %d %v", n, err)
	}
	got, err := d.GetBackfill(ctx, b.ID)
	must(t, err)
	counts, err := d.BackfillRunCounts(ctx, b.ID)
	must(t, err)
	if got.State != "completed" || got.CompletedAt == nil || counts["success"] != 1 {
		t.Fatalf("completed backfill: %+v counts %v", got, counts)
	}
}

// errorsGroup: the driver speaks the engine's sentinels, never its own
// error types.
func errorsGroup(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	if _, err := d.GetRun(ctx, "nope"); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("unknown run: %v", err)
	}
	if _, err := d.GetDAG(ctx, "nope"); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("unknown DAG: %v", err)
	}
	if err := d.PauseDAG(ctx, "nope", true); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("pause of an unknown DAG: %v", err)
	}
	if _, err := d.GetDAG(ctx, "a\x00b"); !errors.Is(err, driver.ErrInvalid) {
		t.Fatalf("a NUL byte in an id: %v, want ErrInvalid", err)
	}
	dag := dagOf(t, d, "dup", 16, driver.TaskDef{TaskID: "a"})
	r := runOf(t, d, dag, 1)
	if _, created, err := d.InsertRun(ctx, driver.NewRun{RunID: r.RunID, DAGID: dag, RunType: model.RunTypeManual,
		LogicalDate: r.LogicalDate.Add(time.Hour), IntervalStart: r.LogicalDate, IntervalEnd: r.LogicalDate}); err != nil || created {
		t.Fatalf("a taken run id: created %v, %v (want no run and no error)", created, err)
	}
}

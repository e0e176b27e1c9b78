package main

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
)

// TestBackfillCreateWait runs a backfill of a small daily DAG through a real
// scheduler and worker: `backfill create --wait` returns once it completed,
// says how it went and exits 0.
func TestBackfillCreateWait(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the orchestrator")
	}
	db := testenv.Postgres(t)
	t.Setenv("DATABASE_URL", db)
	ctx := context.Background()
	store, err := scheduler.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close) // after the engine stops (cleanups run last first)
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d := scheduler.NewDAG("backfill_wait", scheduler.DAGOptions{Schedule: "@daily", StartDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	d.Task("noop", func(context.Context, *scheduler.TaskContext) error { return nil }, scheduler.TaskOptions{})
	reg, err := scheduler.NewRegistry(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SyncDAGs(ctx, reg); err != nil {
		t.Fatal(err)
	}
	startEngine(t, store, reg)
	code, out, errOut := runCaptured(t, "backfill", "create", d.ID, "--from", "2026-01-01", "--to", "2026-01-03", "--wait")
	if code != 0 || !regexp.MustCompile(`backfill \d+ completed in [0-9.]+m?s: 3 success\n`).MatchString(out) {
		t.Fatalf("backfill create --wait: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

func TestBackfillOutcome(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		b    scheduler.Backfill
		want int
	}{
		{scheduler.Backfill{State: scheduler.BackfillCompleted, RunCounts: map[string]int{"success": 3}}, 0},
		{scheduler.Backfill{State: scheduler.BackfillCompleted, RunCounts: map[string]int{"success": 2, "failed": 1}}, 1},
		{scheduler.Backfill{State: scheduler.BackfillCancelled, RunCounts: map[string]int{"success": 2}}, 1},
	} {
		got := 0
		if err := backfillOutcome(c.b); err != nil {
			got = err.(exitError).code
		}
		if got != c.want {
			t.Errorf("%+v: exit %d, want %d", c.b, got, c.want)
		}
	}
}

package main

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
)

func TestMigrateAndBadDAGInput(t *testing.T) {
	db := testenv.Postgres(t)
	t.Setenv("DATABASE_URL", db)
	steps := []struct {
		args []string
		want int
	}{
		{[]string{"migrate", "status"}, 1}, // pending
		{[]string{"dags", "list"}, 1},      // schema behind
		{[]string{"migrate", "up"}, 0},
		{[]string{"migrate", "up"}, 0}, // idempotent
		{[]string{"migrate", "status"}, 0},
		{[]string{"migrate", "sideways"}, 2},
		{[]string{"dags", "list"}, 0},
		{[]string{"dags", "trigger", "no_such_dag"}, 1},
		{[]string{"dags", "trigger"}, 2},
		{[]string{"dags", "pause", "no_such_dag"}, 1},
		{[]string{"dags", "frobnicate"}, 2},
	}
	for _, s := range steps {
		if got := run(t, s.args); got != s.want {
			t.Fatalf("finpipe %v: exit %d, want %d", s.args, got, s.want)
		}
	}
}

func TestUnreachableDatabaseFailsFast(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:1/none")
	start := time.Now()
	for _, args := range [][]string{{"dags", "list"}, {"migrate", "up"}, {"scheduler"}, {"worker"}} {
		if got := run(t, args); got != 1 {
			t.Fatalf("finpipe %v against a closed port: exit %d, want 1", args, got)
		}
	}
	if time.Since(start) > 20*time.Second {
		t.Fatalf("took %s", time.Since(start))
	}
}

func TestTasksTest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"tasks", "test", "example_etl", "extract", "--date", "2026-01-02"}, 0},
		{[]string{"tasks", "test", "example_etl", "report", "--conf", `{"rows": 3}`}, 0},
		{[]string{"tasks", "test", "example_etl", "nope"}, 1},
		{[]string{"tasks", "test", "nope", "extract"}, 1},
		{[]string{"tasks", "test", "example_etl", "extract", "--conf", "[1]"}, 1},
		{[]string{"tasks", "test", "example_etl", "extract", "--date", "yesterday"}, 1},
		{[]string{"tasks", "test", "example_etl"}, 2},
		{[]string{"tasks", "run"}, 2},
	}
	for _, c := range cases {
		if got := run(t, c.args); got != c.want {
			t.Fatalf("finpipe %v: exit %d, want %d", c.args, got, c.want)
		}
	}
}

// TestStandaloneRunsTriggeredRun starts the standalone services on a test
// database and checks that "dags trigger --wait" exits 0 for a successful
// run, and that a bad --conf creates nothing.
func TestStandaloneRunsTriggeredRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the orchestrator")
	}
	db := testenv.Postgres(t)
	t.Setenv("DATABASE_URL", db)
	t.Setenv("FINPIPE_LOG_LEVEL", "error")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runStandalone(ctx, newProcess(os.Stdout, os.Stderr), []string{"--grace", "2s", "--data-dir", t.TempDir()})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("standalone: %v", err)
		}
	}()
	store, err := scheduler.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := store.GetDAG(context.Background(), "example_etl"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("standalone never synced example_etl")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := run(t, []string{"dags", "trigger", "example_etl", "--conf", "{bad"}); got != 1 {
		t.Fatalf("bad conf: exit %d", got)
	}
	if got := run(t, []string{"dags", "trigger", "example_etl", "--conf", `{"rows": 7}`, "--wait"}); got != 0 {
		t.Fatalf("trigger --wait: exit %d, want 0", got)
	}
	manual, err := store.ListRuns(context.Background(), scheduler.RunFilter{DAGID: "example_etl", State: scheduler.RunSuccess, Limit: 1})
	if err != nil || len(manual.Runs) == 0 {
		t.Fatalf("runs %v %v", manual, err)
	}
	id := manual.Runs[0].RunID
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"dags", "runs", "example_etl"}, 0},
		{[]string{"dags", "runs", "example_etl", "--state", "sideways"}, 1},
		{[]string{"dags", "runs", "nope"}, 1},
		{[]string{"tasks", "states", id}, 0},
		{[]string{"tasks", "states", "no-such-run"}, 1},
		{[]string{"tasks", "log", id, "extract"}, 0},
		{[]string{"tasks", "log", id, "extract", "--try", "9"}, 1},
		{[]string{"tasks", "mark", id, "report", "failed"}, 0},
		{[]string{"tasks", "mark", id, "report", "running"}, 1},
		{[]string{"tasks", "clear", id, "report"}, 0},
		{[]string{"tasks", "clear", id, "nope"}, 1},
	} {
		if got := run(t, c.args); got != c.want {
			t.Fatalf("finpipe %v: exit %d, want %d", c.args, got, c.want)
		}
	}
	if r := waitForState(t, store, id); r != scheduler.RunSuccess {
		t.Fatalf("cleared run ended %s", r)
	}
	page, err := store.ListRuns(context.Background(), scheduler.RunFilter{DAGID: "example_etl"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Runs {
		if r.RunType == scheduler.RunTypeManual && len(r.Conf) == 0 {
			t.Fatalf("a run without conf was created: %+v", r)
		}
	}
}

func TestDagsBackfillCommand(t *testing.T) {
	db := testenv.Postgres(t)
	t.Setenv("DATABASE_URL", db)
	store := migratedStoreWithDAGs(t, db)
	base := []string{"dags", "backfill", "example_etl", "--from", "2026-02-01T00:00:00Z", "--to", "2026-02-01T00:04:00Z"}
	steps := []struct {
		args []string
		want int
	}{
		{append(base, "--dry-run"), 0},
		{append(base, "--reprocess", "sometimes"), 1},
		{[]string{"dags", "backfill", "example_etl", "--from", "later", "--to", "2026-02-01"}, 1},
		{base, 0},
		{base, 1}, // one active backfill per DAG
		{[]string{"backfill", "list", "example_etl"}, 0},
		{[]string{"backfill", "pause", "x"}, 1},
		{[]string{"backfill", "frobnicate"}, 2},
	}
	for _, s := range steps {
		if got := run(t, s.args); got != s.want {
			t.Fatalf("finpipe %v: exit %d, want %d", s.args, got, s.want)
		}
	}
	list, err := store.ListBackfills(context.Background(), "example_etl")
	if err != nil || len(list) != 1 {
		t.Fatalf("backfills %v %v", list, err)
	}
	if b, _ := store.GetBackfill(context.Background(), list[0].ID); b.RunCounts["queued"] != 5 {
		t.Fatalf("backfill runs %v, want 5 queued (ticks 00:00..00:04)", b.RunCounts)
	}
	id := strconv.FormatInt(list[0].ID, 10)
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"backfill", "pause", id}, 0},
		{[]string{"backfill", "pause", id}, 1}, // already paused
		{[]string{"backfill", "unpause", id}, 0},
		{[]string{"backfill", "cancel", id}, 0},
		{[]string{"backfill", "cancel", "999999"}, 1},
		{[]string{"backfill", "create", "example_etl", "--from", "2026-02-01T00:00:00Z", "--to", "2026-02-01T00:01:00Z", "--dry-run"}, 0},
	} {
		if got := run(t, c.args); got != c.want {
			t.Fatalf("finpipe %v: exit %d, want %d", c.args, got, c.want)
		}
	}
	if b, _ := store.GetBackfill(context.Background(), list[0].ID); b.State != scheduler.BackfillCancelled || b.RunCounts["failed"] != 5 {
		t.Fatalf("cancelled backfill: %s %v", b.State, b.RunCounts)
	}
}

// waitForState waits until a run is finished and returns its state.
func waitForState(t *testing.T, store *scheduler.Store, runID string) scheduler.RunState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		r, err := store.GetRun(context.Background(), runID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State.Finished() {
			return r.State
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("run %s did not finish", runID)
	return ""
}

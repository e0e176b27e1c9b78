package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// TestDBClean: `finpipe db clean` reports, then deletes, runs older than
// the cutoff, and refuses a missing or malformed --older-than.
func TestDBClean(t *testing.T) {
	ctx := context.Background()
	db := testenv.Postgres(t)
	t.Setenv("DATABASE_URL", db)
	store := migratedStoreWithDAGs(t, db)
	var ids []string
	for day := 1; day <= 3; day++ {
		date := time.Date(2026, 1, day, 0, 0, 0, 0, time.UTC)
		r, err := store.TriggerRun(ctx, "example_etl", scheduler.TriggerOptions{LogicalDate: date})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.MarkRun(ctx, r.RunID, scheduler.RunSuccess); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.RunID)
	}
	// Test fixture: two of the runs ended 40 days ago.
	if _, err := pgstore.Exec(ctx, db, `UPDATE dag_runs SET end_date = end_date - interval '40 days' WHERE run_id = ANY($1)`, ids[:2]); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"db", "clean"}, {"db", "clean", "--older-than", "soon"}, {"db", "clean", "--older-than", "0d"}, {"db", "vacuum"}} {
		if code := run(t, bad); code != 2 {
			t.Errorf("finpipe %v: exit %d, want 2", bad, code)
		}
	}
	code, out, _ := runOut(t, []string{"db", "clean", "--older-than", "30d", "--dry-run"})
	if code != 0 {
		t.Fatalf("dry run: exit %d", code)
	}
	if !strings.HasPrefix(out, "would delete 2 runs,") {
		t.Errorf("dry run printed %q", out)
	}
	code, out, _ = runOut(t, []string{"db", "clean", "--older-than", "30d", "--json", "--batch-size", "1"})
	if code != 0 {
		t.Fatalf("clean: exit %d", code)
	}
	var res struct {
		DryRun bool `json:"dry_run"`
		scheduler.CleanResult
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Runs != 2 || res.DryRun || res.TaskInstances == 0 {
		t.Fatalf("clean printed %q (%v)", out, err)
	}
	for i, id := range ids {
		_, err := store.GetRun(ctx, id)
		if gone := errors.Is(err, scheduler.ErrNotFound); gone != (i < 2) {
			t.Errorf("run %d gone=%v (%v)", i, gone, err)
		}
	}
}

// TestDBCleanAssetRunsSooner: --asset-runs-older-than also deletes the
// successful asset-triggered runs past its shorter cutoff, as the
// retention loop's FINPIPE_ASSET_RUN_RETENTION does, and keeps a failed
// asset-triggered run and a manual run of the same age.
func TestDBCleanAssetRunsSooner(t *testing.T) {
	ctx := context.Background()
	db := testenv.Postgres(t)
	t.Setenv("DATABASE_URL", db)
	store := migratedStoreWithDAGs(t, db)
	type fixture struct {
		state     scheduler.RunState
		asset     bool
		wantGone  bool
		ageInDays int
	}
	fixtures := []fixture{
		{scheduler.RunSuccess, true, true, 2},   // a micro-batch of two days ago
		{scheduler.RunFailed, true, false, 2},   // failed: kept for the operator
		{scheduler.RunSuccess, false, false, 2}, // manual: kept
		{scheduler.RunSuccess, true, false, 0},  // today's micro-batch
		{scheduler.RunSuccess, false, true, 40}, // past --older-than
	}
	ids := make([]string, len(fixtures))
	for i, f := range fixtures {
		r, err := store.TriggerRun(ctx, "example_etl", scheduler.TriggerOptions{LogicalDate: time.Date(2026, 1, i+1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.MarkRun(ctx, r.RunID, f.state); err != nil {
			t.Fatal(err)
		}
		runType := "manual"
		if f.asset {
			runType = "asset_triggered"
		}
		// Test fixture: the run's type and when it ended.
		if _, err := pgstore.Exec(ctx, db, `UPDATE dag_runs SET run_type = $2, end_date = end_date - make_interval(days => $3) WHERE run_id = $1`,
			r.RunID, runType, f.ageInDays); err != nil {
			t.Fatal(err)
		}
		ids[i] = r.RunID
	}
	if code := run(t, []string{"db", "clean", "--older-than", "30d", "--asset-runs-older-than", "later"}); code != 2 {
		t.Errorf("a malformed --asset-runs-older-than: exit %d, want 2", code)
	}
	code, out, _ := runOut(t, []string{"db", "clean", "--older-than", "30d", "--asset-runs-older-than", "1d", "--json"})
	if code != 0 {
		t.Fatalf("clean: exit %d", code)
	}
	var res struct {
		AssetCutoff *time.Time `json:"asset_run_cutoff"`
		scheduler.CleanResult
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Runs != 2 || res.AssetCutoff == nil {
		t.Fatalf("clean printed %q (%v), want 2 runs and the asset-run cutoff", out, err)
	}
	for i, f := range fixtures {
		_, err := store.GetRun(ctx, ids[i])
		if gone := errors.Is(err, scheduler.ErrNotFound); gone != f.wantGone {
			t.Errorf("run %d (%+v) gone=%v (%v)", i, f, gone, err)
		}
	}
}

// migratedStoreWithDAGs opens the test database, applies the migrations
// and syncs the shipped DAGs, as `finpipe scheduler` would on start.
func migratedStoreWithDAGs(t *testing.T, db string) *scheduler.Store {
	t.Helper()
	ctx := context.Background()
	store, err := scheduler.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reg, err := dags.Registry(dags.Pipeline{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SyncDAGs(ctx, reg); err != nil {
		t.Fatal(err)
	}
	return store
}

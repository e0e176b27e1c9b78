package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// TestRetentionCleansSuccessfulAssetRunsSooner: with the defaults (7 days,
// 1 day for asset-triggered runs), a pass deletes a successful
// asset-triggered run of two days ago but keeps a failed one and a manual
// one as old; asset events go with their source run (or, from the
// watcher, after a day), except those a kept run emitted and each asset's
// newest.
func TestRetentionCleansSuccessfulAssetRunsSooner(t *testing.T) {
	s, url := newTestStoreURL(t)
	ctx := context.Background()
	d := NewDAG("busy", DAGOptions{})
	d.Task("a", noop, TaskOptions{})
	reg := mustRegistry(t, d)
	if err := reg.AddAsset(Asset{Name: "tbl", Kind: AssetDeltaTable}); err != nil {
		t.Fatal(err)
	}
	e := startEngine(t, s, reg, 1)
	var ids []string
	for range 5 {
		r := trigger(t, s, "busy", nil)
		waitRun(t, s, r.RunID, 20*time.Second)
		ids = append(ids, r.RunID)
	}
	_ = e.sch.Stop(ctx)
	set := func(id, state, runType, ago string) {
		t.Helper()
		if _, err := pgstore.Exec(ctx, url, `UPDATE dag_runs SET state = $2, run_type = $3,
			end_date = now() - $4::interval WHERE run_id = $1`, id, state, runType, ago); err != nil {
			t.Fatal(err)
		}
	}
	set(ids[0], "success", "asset_triggered", "2 days") // cleaned: the asset retention
	set(ids[1], "failed", "asset_triggered", "2 days")  // kept: failed runs keep the week
	set(ids[2], "success", "manual", "2 days")          // kept: not asset-triggered
	set(ids[3], "success", "asset_triggered", "1 hour") // kept: recent
	// ids[4] is the newest run, which KeepRuns 1 keeps anyway.

	// Events, all two days old: from the cleaned run, from the watcher (no
	// source run), from a kept run, and the asset's newest (watcher's).
	events := []AssetEvent{{Asset: "tbl", SourceDAGID: "busy", SourceRunID: ids[0], SourceTaskID: "a", SourceTry: 1},
		{Asset: "tbl", Offsets: map[int32]int64{0: 1}},
		{Asset: "tbl", SourceDAGID: "busy", SourceRunID: ids[2], SourceTaskID: "a", SourceTry: 1},
		{Asset: "tbl", Offsets: map[int32]int64{0: 2}}}
	if err := s.tx(ctx, func(tx driver.Executor) error { _, err := tx.InsertAssetEvents(ctx, events); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Exec(ctx, url, `UPDATE asset_events SET ts = now() - interval '2 days'`); err != nil {
		t.Fatal(err)
	}

	res, err := NewRetention(s, RetentionOptions{KeepRuns: 1}).Pass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Runs != 1 || res.TaskInstances != 1 || res.AssetEvents != 2 {
		t.Fatalf("deleted %+v, want the successful asset-triggered run of 2 days ago, and 2 events", res)
	}
	for i, id := range ids {
		_, err := s.GetRun(ctx, id)
		if gone, wantGone := errors.Is(err, ErrNotFound), i == 0; gone != wantGone {
			t.Errorf("run %d: gone=%v (err %v), want gone=%v", i, gone, err, wantGone)
		}
	}
	left, err := s.ListAssetEvents(ctx, AssetEventFilter{Asset: "tbl"})
	if err != nil || len(left) != 2 || left[0].Offsets[0] != 2 || left[1].SourceRunID != ids[2] {
		t.Fatalf("events left %+v %v, want the newest and the kept run's", left, err)
	}
	// With the asset retention as long as the other, nothing more goes.
	if again, err := NewRetention(s, RetentionOptions{KeepRuns: 1, AssetMaxAge: -1}).Pass(ctx); err != nil || again.Runs != 0 {
		t.Fatalf("pass without asset retention %+v %v", again, err)
	}
}

package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// TestRetentionKeepsTheNewestRunsPerDAG: a retention pass deletes the runs
// older than MaxAge except each DAG's newest KeepRuns (by logical date),
// however old those are.
func TestRetentionKeepsTheNewestRunsPerDAG(t *testing.T) {
	s, url := newTestStoreURL(t)
	ctx := context.Background()
	d := NewDAG("kept", DAGOptions{})
	d.Task("a", func(context.Context, *TaskContext) error { return nil }, TaskOptions{})
	e := startEngine(t, s, mustRegistry(t, d), 1)
	var ids []string
	for i := 0; i < 5; i++ {
		r := trigger(t, s, "kept", nil)
		waitRun(t, s, r.RunID, 20*time.Second)
		ids = append(ids, r.RunID)
	}
	_ = e.sch.Stop(ctx)
	if _, err := pgstore.Exec(ctx, url, `UPDATE dag_runs SET end_date = now() - interval '40 days' WHERE dag_id = 'kept'`); err != nil {
		t.Fatal(err)
	}
	ret := NewRetention(s, RetentionOptions{MaxAge: 30 * 24 * time.Hour, KeepRuns: 2})
	res, err := ret.Pass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Runs != 3 || res.TaskInstances != 3 {
		t.Fatalf("deleted %+v, want the 3 oldest runs and their task instances", res)
	}
	for i, id := range ids {
		_, err := s.GetRun(ctx, id)
		if gone, wantGone := errors.Is(err, ErrNotFound), i < 3; gone != wantGone {
			t.Errorf("run %d: gone=%v (err %v), want gone=%v", i, gone, err, wantGone)
		}
	}
	if again, err := ret.Pass(ctx); err != nil || again.Runs != 0 {
		t.Errorf("second pass %+v %v, want nothing", again, err)
	}
}

// TestRetentionDefaultsAndLifecycle: zero options mean the documented
// defaults; Start twice is refused and Stop ends the loop.
func TestRetentionDefaultsAndLifecycle(t *testing.T) {
	o := RetentionOptions{}.withDefaults()
	if o.MaxAge != DefaultRunRetention || o.AssetMaxAge != DefaultAssetRunRetention || o.KeepRuns != DefaultKeepRuns || o.Every != DefaultRetentionEvery {
		t.Errorf("defaults %+v", o)
	}
	r := NewRetention(nil, RetentionOptions{})
	ctx := context.Background()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err == nil {
		t.Error("second Start accepted")
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
}

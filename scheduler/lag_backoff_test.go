package scheduler

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// TestIngestFinishHonoursLagBackoff: after a failed asset-triggered run,
// a run whose task leaves lag does not queue the next run from its finish
// transaction, whose fixed 30 s used to override the scheduler's
// LagBackoff (here an hour, with the failure a minute old): lag alone
// must wait for the backoff. After a successful run the finish still
// queues the next one at once (the fast path of a bounded ingest).
func TestIngestFinishHonoursLagBackoff(t *testing.T) {
	ctx := context.Background()
	s, url := newTestStoreURL(t)
	var tries atomic.Int32
	d := NewDAG("on_topic", DAGOptions{Assets: []string{"tx"}, MaxActiveRuns: 1})
	d.Task("ingest", func(_ context.Context, tc *TaskContext) error {
		n := tries.Add(1)
		if n == 1 {
			return errors.New("the first run fails")
		}
		next := int64(n) // behind the end, 100, until the fourth run
		if n >= 4 {
			next = 100
		}
		return tc.Consumed("tx", 0, next)
	}, TaskOptions{})
	reg := mustRegistry(t, d)
	if err := reg.AddAsset(Asset{Name: "tx", Kind: AssetKafkaTopic}); err != nil {
		t.Fatal(err)
	}
	so := fastSched
	so.Logger, so.LagBackoff = testLogger(), time.Hour // no Topics: no watcher queues anything
	sch := NewScheduler(s, reg, so)
	if err := sch.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sch.Stop(ctx) })
	startWorker(t, s, reg)

	// newOffsets records the watcher's event for new offsets (which queues
	// a run whatever the backoff) and waits for the run it queued.
	newOffsets := func(end int64) DagRun {
		t.Helper()
		err := s.tx(ctx, func(tx driver.Executor) error {
			if err := tx.SetEndOffsets(ctx, "tx", map[int32]int64{0: end}); err != nil {
				return err
			}
			_, err := recordAssetEvents(ctx, tx, []AssetEvent{{Asset: "tx", Offsets: map[int32]int64{0: end}}}, s.clock.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return waitRun(t, s, dagRuns(t, s, "on_topic")[0].RunID, time.Minute)
	}
	if r := newOffsets(100); r.State != RunFailed {
		t.Fatalf("first run: %s", r.State)
	}
	if _, err := pgstore.Exec(ctx, url, `UPDATE dag_runs SET end_date = now() - interval '1 minute'`); err != nil {
		t.Fatal(err)
	}
	if r := newOffsets(100); r.State != RunSuccess {
		t.Fatalf("second run: %s", r.State)
	}
	if runs := dagRuns(t, s, "on_topic"); len(runs) != 2 {
		t.Fatalf("a lagging run a minute after a failure queued another although LagBackoff is an hour: %d runs, newest %s (%s)",
			len(runs), runs[0].RunID, runs[0].State)
	}
	// The last run succeeded: the next lagging finish queues its successor.
	newOffsets(100)
	waitFor(t, time.Minute, "the successor queued by the finish", func() bool {
		runs := dagRuns(t, s, "on_topic")
		return len(runs) == 4 && runs[0].State == RunSuccess
	})
}

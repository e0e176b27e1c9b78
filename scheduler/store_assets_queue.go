package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// recordOutputs stores a successful attempt's consumed offsets and asset
// events, and queues the runs the events complete, in the transaction that
// records its success.
func (s *Store) recordOutputs(ctx context.Context, tx driver.Executor, e attemptEnd) error {
	now := s.clock.Now()
	if len(e.Consumed) > 0 {
		if err := tx.UpsertConsumedOffsets(ctx, e.DAGID, e.Consumed); err != nil {
			return err
		}
		// Still behind the topic's end (a bounded batch)? Queue the next
		// run now, so it starts the moment this one ends, rather than at
		// the watcher's next poll after that. Not after a failed run: the
		// backoff that then applies is the watcher's
		// (SchedulerOptions.LagBackoff, in whichever scheduler holds the
		// watch), which a worker does not know; the watcher queues the
		// next run when it is due, at most one poll after this run ends.
		behind, err := tx.LaggingAssetDAGs(ctx, driver.LagQuery{DAGID: e.DAGID, WhileRunning: true, AfterSuccess: true})
		if err != nil {
			return err
		}
		if err := queueLagRuns(ctx, tx, behind, now); err != nil {
			return err
		}
	}
	_, err := recordAssetEvents(ctx, tx, e.Events, now)
	return err
}

// queueLagRuns queues a run of each DAG (behind on a topic) that has none
// queued, with whatever events it has pending.
func queueLagRuns(ctx context.Context, tx driver.Executor, dagIDs []string, now time.Time) error {
	if len(dagIDs) == 0 {
		return nil
	}
	if err := tx.LockAssetQueues(ctx, dagIDs); err != nil {
		return err
	}
	for _, dagID := range dagIDs {
		runID, err := queuedAssetRun(ctx, tx, dagID, now)
		if err != nil {
			return err
		}
		if _, err := tx.LinkPendingEvents(ctx, dagID, runID); err != nil {
			return err
		}
	}
	return tx.Notify(ctx, driver.ChanScheduler)
}

// recordAssetEvents inserts events and, for every DAG scheduled on their
// assets whose condition now holds, queues an asset-triggered run covering
// them (or adds them to the one already queued). It returns how many
// DAGs got events linked to a queued run.
func recordAssetEvents(ctx context.Context, tx driver.Executor, events []AssetEvent, now time.Time) (int, error) {
	dags, err := tx.InsertAssetEvents(ctx, events)
	if err != nil || len(dags) == 0 {
		return 0, err
	}
	return queueAssetRuns(ctx, tx, dags, now)
}

// queueAssetRuns queues the asset-triggered runs of dagIDs (nil: of every
// DAG with pending events) whose condition holds: each DAG's pending
// events go to its one queued asset-triggered run, created when there is
// none (coalescing). The scheduler is notified at commit so it starts the
// run at once (max_active_runs permitting).
func queueAssetRuns(ctx context.Context, tx driver.Executor, dagIDs []string, now time.Time) (int, error) {
	if dagIDs == nil {
		// A sweep: find candidates first, then decide under their locks.
		ready, err := tx.AssetReadyDAGs(ctx, nil)
		if err != nil || len(ready) == 0 {
			return 0, err
		}
		dagIDs = ready
	}
	if err := tx.LockAssetQueues(ctx, dagIDs); err != nil {
		return 0, err
	}
	ready, err := tx.AssetReadyDAGs(ctx, dagIDs)
	if err != nil {
		return 0, err
	}
	for _, dagID := range ready {
		runID, err := queuedAssetRun(ctx, tx, dagID, now)
		if err != nil {
			return 0, err
		}
		if _, err := tx.LinkPendingEvents(ctx, dagID, runID); err != nil {
			return 0, err
		}
	}
	if len(ready) > 0 {
		return len(ready), tx.Notify(ctx, driver.ChanScheduler)
	}
	return 0, nil
}

// queuedAssetRun returns the DAG's queued asset-triggered run, creating it
// (logical date now, as in Airflow) when there is none. The database
// admits one queued asset-triggered run per DAG, so a concurrent creator
// loses and finds the winner's run instead.
func queuedAssetRun(ctx context.Context, tx driver.Executor, dagID string, now time.Time) (string, error) {
	logical := now.UTC().Truncate(time.Microsecond)
	for range 5 {
		id, err := tx.QueuedAssetRun(ctx, dagID)
		if err != nil || id != "" {
			return id, err
		}
		r, created, err := tx.InsertRun(ctx, driver.NewRun{RunID: runIDFor(dagID, RunTypeAssetTriggered, logical),
			DAGID: dagID, RunType: RunTypeAssetTriggered, LogicalDate: logical, IntervalStart: logical, IntervalEnd: logical})
		if err != nil || created {
			return r.RunID, err
		}
		// Lost to a concurrent queuer, or the logical date is taken by
		// another run: look again, a microsecond later.
		logical = logical.Add(time.Microsecond)
	}
	return "", fmt.Errorf("DAG %q: could not queue an asset-triggered run", dagID)
}

// queueReadyAssetRuns queues the runs whose events are pending but not
// yet queued: those of a DAG unpaused since, and any a failed queueing
// left behind. The scheduler's sweep calls it.
func (s *Store) queueReadyAssetRuns(ctx context.Context) (int, error) {
	var n int
	err := s.tx(ctx, func(tx driver.Executor) error {
		var err error
		n, err = queueAssetRuns(ctx, tx, nil, s.clock.Now())
		return err
	})
	return n, err
}

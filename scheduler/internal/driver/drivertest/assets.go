package drivertest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

// assetDAGs syncs asset "tbl" (a table), a producer DAG whose task "t"
// emits it, and a consumer DAG scheduled on it; it returns both DAG ids.
func assetDAGs(t *testing.T, d driver.Driver) (producer, consumer string) {
	t.Helper()
	ctx := context.Background()
	must(t, d.UpsertAssets(ctx, []model.Asset{{Name: "tbl", Kind: model.AssetDeltaTable},
		{Name: "topic", Kind: model.AssetKafkaTopic, URI: "kafka://topic"}}))
	producer = dagOf(t, d, "producer", 16, driver.TaskDef{TaskID: "t", Retries: 1})
	must(t, d.ReplaceTaskOutlets(ctx, producer, []string{"t"}, []string{"tbl"}))
	consumer = dagOf(t, d, "consumer", 16, driver.TaskDef{TaskID: "c"})
	must(t, d.ReplaceDAGAssets(ctx, consumer, []string{"tbl"}, false))
	return producer, consumer
}

// finishEmitting reports an attempt's end and, in the same transaction
// and only if the fence lets it finish, its event, as the engine does; a
// fenced report rolls back. It returns whether the attempt finished.
func finishEmitting(t *testing.T, d driver.Driver, c driver.ClaimedTask, to model.TaskState) bool {
	t.Helper()
	ctx := context.Background()
	errFenced := errors.New("fenced")
	err := d.InTx(ctx, func(x driver.Executor) error {
		res, err := x.FinishAttempt(ctx, driver.FinishParams{AttemptKey: driver.AttemptKey{RunID: c.RunID, TaskID: c.TaskID, Try: c.Try},
			From: []model.TaskState{model.TaskRunning}, To: to}, nil)
		if err != nil {
			return err
		}
		if !res.Finished {
			return errFenced
		}
		if to != model.TaskSuccess {
			return nil
		}
		if _, err := x.InsertAssetEvents(ctx, []model.AssetEvent{{Asset: "tbl", SourceDAGID: c.DAGID, SourceRunID: c.RunID,
			SourceTaskID: c.TaskID, SourceTry: c.Try, Extra: map[string]any{"version": c.Try}}}); err != nil {
			return err
		}
		return queue(ctx, x, "consumer", time.Date(2026, 2, 1, 0, 0, c.Try, 0, time.UTC))
	})
	if errors.Is(err, errFenced) {
		return false
	}
	must(t, err)
	return true
}

// queue is the engine's queueing of one DAG: under its queue lock, if its
// condition holds, its pending events go to its queued asset-triggered
// run, created when there is none.
func queue(ctx context.Context, x driver.Executor, dagID string, logical time.Time) error {
	if err := x.LockAssetQueues(ctx, []string{dagID}); err != nil {
		return err
	}
	ready, err := x.AssetReadyDAGs(ctx, []string{dagID})
	if err != nil || len(ready) == 0 {
		return err
	}
	runID, err := x.QueuedAssetRun(ctx, dagID)
	if err != nil {
		return err
	}
	if runID == "" {
		r, created, err := x.InsertRun(ctx, driver.NewRun{RunID: dagID + "__asset_triggered__" + logical.Format(time.RFC3339Nano),
			DAGID: dagID, RunType: model.RunTypeAssetTriggered, LogicalDate: logical, IntervalStart: logical, IntervalEnd: logical})
		if err != nil {
			return err
		}
		if !created {
			return errors.New("a second queued asset-triggered run was refused, with no queued run visible")
		}
		runID = r.RunID
	}
	_, err = x.LinkPendingEvents(ctx, dagID, runID)
	return err
}

// assetRuns returns the consumer's runs.
func assetRuns(t *testing.T, d driver.Driver, dagID string) []model.DagRun {
	t.Helper()
	runs, err := d.ListRuns(context.Background(), driver.ListRunsParams{DAGID: dagID, Limit: 100})
	must(t, err)
	return runs
}

// assetEvents: an event is recorded only with an attempt's success (a
// failed or fenced-off attempt emits nothing); events coalesce into one
// queued run that covers them all; two concurrent queuers make one run;
// consumed offsets keep the greatest; the operator reads see it all.
func assetEvents(t *testing.T, d driver.Driver) {
	ctx := context.Background()
	producer, consumer := assetDAGs(t, d)
	run := runOf(t, d, producer, 1)
	run2 := runOf(t, d, producer, 2) // both before any event: nothing promotes the consumer's run
	var first, other driver.ClaimedTask
	for _, c := range claim(t, d, "w1", 2, producer) {
		if c.RunID == run.RunID {
			first = c
		} else {
			other = c
		}
	}
	if !finishEmitting(t, d, first, model.TaskUpForRetry) {
		t.Fatal("try 1's failure was fenced off")
	}
	second := claim(t, d, "w2", 1, producer)
	if len(second) != 1 || second[0].RunID != run.RunID || second[0].Try != 2 {
		t.Fatalf("retry claim: %+v", second)
	}
	if finishEmitting(t, d, first, model.TaskSuccess) {
		t.Fatal("a stale try finished")
	}
	if evs, err := d.ListAssetEvents(ctx, model.AssetEventFilter{Limit: 10}); err != nil || len(evs) != 0 {
		t.Fatalf("a failed or fenced attempt emitted: %+v, %v", evs, err)
	}
	// Two successes: the second event coalesces into the run the first queued.
	for _, c := range []driver.ClaimedTask{second[0], other} {
		if !finishEmitting(t, d, c, model.TaskSuccess) {
			t.Fatalf("%s try %d fenced off", c.RunID, c.Try)
		}
	}
	runs := assetRuns(t, d, consumer)
	if len(runs) != 1 || runs[0].State != model.RunQueued || runs[0].RunType != model.RunTypeAssetTriggered {
		t.Fatalf("consumer runs: %+v", runs)
	}
	covered, err := d.RunAssetEvents(ctx, runs[0].RunID)
	must(t, err)
	if len(covered) != 2 || covered[0].SourceRunID != run.RunID || covered[0].SourceTry != 2 || covered[1].SourceRunID != run2.RunID ||
		len(covered[0].TriggeredRuns) != 1 || covered[0].TriggeredRuns[0] != runs[0].RunID {
		t.Fatalf("the queued run covers: %+v", covered)
	}
	if _, created, err := d.InsertRun(ctx, driver.NewRun{RunID: "second_queued", DAGID: consumer, RunType: model.RunTypeAssetTriggered,
		LogicalDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}); err != nil || created {
		t.Fatalf("a second queued asset-triggered run: created %v, %v", created, err)
	}

	// Two concurrent queuers of a DAG with no queued run: one run.
	promote(t, d)
	must(t, d.InTx(ctx, func(x driver.Executor) error {
		_, err := x.InsertAssetEvents(ctx, []model.AssetEvent{{Asset: "tbl"}, {Asset: "tbl"}})
		return err
	}))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.InTx(ctx, func(x driver.Executor) error {
				return queue(ctx, x, consumer, time.Date(2026, 4, 1, 0, 0, i, 0, time.UTC))
			})
		}()
	}
	wg.Wait()
	must(t, errors.Join(errs...))
	queued := 0
	for _, r := range assetRuns(t, d, consumer) {
		if r.State == model.RunQueued {
			queued++
		}
	}
	if queued != 1 {
		t.Fatalf("two concurrent queuers made %d queued runs", queued)
	}

	// Consumed offsets only rise; lag is end minus consumed.
	must(t, d.UpsertConsumedOffsets(ctx, consumer, []driver.ConsumedOffset{{Asset: "topic", Partition: 0, NextOffset: 10}}))
	must(t, d.UpsertConsumedOffsets(ctx, consumer, []driver.ConsumedOffset{{Asset: "topic", Partition: 0, NextOffset: 4}}))
	must(t, d.SetEndOffsets(ctx, "topic", map[int32]int64{0: 12, 1: 3}))
	infos, err := d.ListAssets(ctx, "topic")
	must(t, err)
	if len(infos) != 1 || infos[0].Lag[consumer] != 5 || infos[0].EndOffsets[1] != 3 {
		t.Fatalf("topic info (want lag 12-10 + 3-0 = 5): %+v", infos)
	}
	if tbl, err := d.ListAssets(ctx, "tbl"); err != nil || len(tbl) != 1 || len(tbl[0].Consumers) != 1 ||
		tbl[0].Producers[0] != producer+".t" || tbl[0].LastEvent == nil {
		t.Fatalf("table info: %+v, %v", tbl, err)
	}
}

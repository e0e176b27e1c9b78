package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// attemptEnd is how an attempt ended, as reported by a worker or the reaper.
type attemptEnd struct {
	RunID, TaskID string
	Try           int         // fencing token: only this attempt may be finished
	From          []TaskState // states the attempt may still be in
	To            TaskState   // success, failed or up_for_retry
	Error         string
	RetryIn       time.Duration
	GiveBack      int // tries returned to the budget (worker shutdown)
	// Leaf says the task has no downstream (known from the claim): its end
	// and the run's completion check then go in one round trip.
	Leaf bool
	// Downstream, when known from the claim, lets the finish and the
	// downstream bump share a round trip.
	Downstream []string
	// DAGID, Events and Consumed are a successful attempt's asset outputs
	// (task_assets.go), recorded in the transaction that records its
	// success and only if the fence lets it finish.
	DAGID    string
	Events   []AssetEvent
	Consumed []driver.ConsumedOffset
}

// hasOutputs says whether the end records asset events or consumed offsets.
func (e attemptEnd) hasOutputs() bool {
	return e.To == TaskSuccess && (len(e.Events) > 0 || len(e.Consumed) > 0)
}

func (e attemptEnd) params() driver.FinishParams {
	return driver.FinishParams{AttemptKey: driver.AttemptKey{RunID: e.RunID, TaskID: e.TaskID, Try: e.Try},
		From: e.From, To: e.To, Error: e.Error, RetryIn: e.RetryIn, GiveBack: e.GiveBack}
}

// errFenced aborts a finish transaction whose attempt is no longer held.
var errFenced = errors.New("attempt fenced off")

// finishAttempt records an attempt's end. In the same transaction every
// downstream task whose upstream tasks are now all done is decided, so a
// successor is scheduled (and workers notified) the moment its upstream
// commits. It returns false when the fence rejected a stale report.
func (s *Store) finishAttempt(ctx context.Context, e attemptEnd) (bool, error) {
	if e.Leaf && !e.hasOutputs() {
		finished, done, err := s.drv.FinishLeaf(ctx, e.params(), e.To.Finished())
		if err == nil {
			s.runsEnded(ctx, done)
		}
		return finished, err
	}
	var scheduled int
	err := s.tx(ctx, func(tx driver.Executor) error {
		// With the downstream known from the claim, the bump rides in the
		// same round trip as the finish; a fenced-off finish rolls it back.
		var bump *driver.Bump
		if e.To.Finished() && len(e.Downstream) > 0 {
			b := bumpFor(e.Downstream, e.To)
			bump = &b
		}
		res, err := tx.FinishAttempt(ctx, e.params(), bump)
		if err != nil {
			return err
		}
		if !res.Finished {
			return errFenced
		}
		if e.hasOutputs() {
			if err := s.recordOutputs(ctx, tx, e); err != nil {
				return err
			}
		}
		if !e.To.Finished() || len(res.Downstream) == 0 {
			return nil
		}
		ready := res.Bumped
		if bump == nil {
			if ready, err = tx.BumpDownstream(ctx, e.RunID, bumpFor(res.Downstream, e.To)); err != nil {
				return err
			}
		}
		scheduled, err = settle(ctx, tx, e.RunID, ready)
		return err
	})
	if errors.Is(err, errFenced) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if e.To.Finished() && scheduled == 0 {
		var done []driver.FinishedRun
		if done, err = s.drv.FinishRuns(ctx, []string{e.RunID}); err == nil {
			s.runsEnded(ctx, done)
		}
	}
	return true, err
}

// runsEnded follows an attempt's report that finished runs: it records
// their metrics, promotes the queued runs they made room for, right there,
// and then announces the finished runs. Waiting for the scheduler to hear
// the run's NOTIFY and sweep cost a DAG with max_active_runs 1 (the
// medallion micro-batch) two notification hops and a sweep between every
// pair of runs; now the reporting worker, whose slot just freed, claims
// the new run's root tasks at once. Promoting before the NOTIFY keeps the
// woken scheduler's own promotion from holding LockPromote first. The lock
// makes this safe beside any number of schedulers; a failure here is left
// to the scheduler's next sweep, which promotes the same runs, and does
// not fail the attempt's report.
func (s *Store) runsEnded(ctx context.Context, done []driver.FinishedRun) {
	if len(done) == 0 {
		return
	}
	s.recordFinished(done)
	_, _ = s.promoteRuns(ctx)
	s.announceFinished(ctx, done)
}

// bumpFor counts one upstream that ended in st into its downstream tasks.
func bumpFor(downstream []string, st TaskState) driver.Bump {
	b := driver.Bump{Downstream: downstream}
	switch st {
	case TaskSuccess:
		b.Success = 1
	case TaskFailed, TaskUpstreamFailed:
		b.Failed = 1
	case TaskSkipped:
		b.Skipped = 1
	}
	return b
}

// counts are a waiting task's upstream counters as the trigger rules see them.
func counts(w driver.WaitingTask) upstreamCounts {
	return upstreamCounts{Total: w.Total, Success: w.Success, Failed: w.Failed, Skipped: w.Skipped}
}

// settle applies the trigger rule of every waiting task whose upstream tasks
// are all done, and cascades: a task decided upstream_failed or skipped is
// itself a finished upstream for its own downstream. Returns how many tasks
// became scheduled.
func settle(ctx context.Context, tx driver.Executor, runID string, waiting []driver.WaitingTask) (int, error) {
	scheduled := 0
	for len(waiting) > 0 {
		var ids []string
		var states []TaskState
		var cascade []driver.Bump
		for _, w := range waiting {
			if !ruleReady(w.Rule, w.Done, counts(w)) {
				continue
			}
			st := ruleDecide(w.Rule, counts(w))
			ids, states = append(ids, w.TaskID), append(states, st)
			if st == TaskScheduled {
				scheduled++
			} else if len(w.Downstream) > 0 {
				cascade = append(cascade, bumpFor(w.Downstream, st))
			}
		}
		if len(ids) == 0 {
			break
		}
		if err := tx.DecideTaskInstances(ctx, runID, ids, states); err != nil {
			return scheduled, err
		}
		waiting = nil
		for _, b := range cascade {
			next, err := tx.BumpDownstream(ctx, runID, b)
			if err != nil {
				return scheduled, err
			}
			waiting = append(waiting, next...)
		}
	}
	return scheduled, nil
}

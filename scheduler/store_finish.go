package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
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
}

// errFenced aborts a finish transaction whose attempt is no longer held.
var errFenced = errors.New("attempt fenced off")

// finishAttempt records an attempt's end. In the same transaction every
// downstream task whose upstream tasks are now all done is decided, so a
// successor is scheduled (and workers notified) the moment its upstream
// commits. It returns false when the fence rejected a stale report.
func (s *Store) finishAttempt(ctx context.Context, e attemptEnd) (bool, error) {
	from := make([]string, len(e.From))
	for i, st := range e.From {
		from[i] = string(st)
	}
	if e.Leaf {
		return s.finishLeaf(ctx, e, from)
	}
	var finished bool
	var scheduled int
	err := s.tx(ctx, func(tx pgx.Tx) error {
		// With the downstream known from the claim, the bump rides in the
		// same round trip as the finish; a fenced-off finish rolls it back.
		b := &pgx.Batch{}
		b.Queue(sqlFinishTI, e.RunID, e.TaskID, e.Try, from, string(e.To), e.Error, e.RetryIn.Seconds(), e.GiveBack)
		pipelined := e.To.Finished() && len(e.Downstream) > 0
		if pipelined {
			b.Queue(sqlBumpDownstream, bumpArgs(e.RunID, e.Downstream, e.To)...)
		}
		br := tx.SendBatch(ctx, b)
		var downstream []string
		err := br.QueryRow().Scan(&downstream)
		if errors.Is(err, pgx.ErrNoRows) {
			br.Close()
			return errFenced
		}
		if err != nil {
			br.Close()
			return err
		}
		finished = true
		var ready []waitingTask
		if pipelined {
			rows, err := br.Query()
			if err != nil {
				br.Close()
				return err
			}
			if ready, err = scanWaiting(rows); err != nil {
				br.Close()
				return err
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		if !e.To.Finished() || len(downstream) == 0 {
			return nil
		}
		if !pipelined {
			if ready, err = bumpDownstream(ctx, tx, e.RunID, downstream, e.To); err != nil {
				return err
			}
		}
		scheduled, err = settle(ctx, tx, e.RunID, ready)
		return err
	})
	if errors.Is(err, errFenced) {
		return false, nil
	}
	if err != nil || !finished {
		return finished, err
	}
	if e.To.Finished() && scheduled == 0 {
		_, err = s.finishRuns(ctx, []string{e.RunID})
	}
	return true, err
}

// finishLeaf records the end of an attempt of a task without downstream
// and checks whether its run is complete, in one batch (one round trip, one
// implicit transaction). If the run's last two tasks end at once, both
// checks may run before either commits; the scheduler's sweep then finishes
// the run on its next pass.
func (s *Store) finishLeaf(ctx context.Context, e attemptEnd, from []string) (bool, error) {
	b := &pgx.Batch{}
	b.Queue(sqlFinishLeafTI, e.RunID, e.TaskID, e.Try, from, string(e.To), e.Error, e.RetryIn.Seconds(), e.GiveBack)
	check := e.To.Finished()
	if check {
		b.Queue(sqlFinishRuns, []string{e.RunID})
	}
	br := s.db.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return false, err
	}
	finished := rows.Next()
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	if check {
		rows, err := br.Query()
		if err != nil {
			return finished, err
		}
		finishedRuns, err := scanFinishedRuns(rows)
		if err != nil {
			return finished, err
		}
		if len(finishedRuns) > 0 {
			if err := br.Close(); err != nil {
				return finished, err
			}
			_ = notify(ctx, s.db, chanScheduler)
		}
	}
	return finished, br.Close()
}

// waitingTask is a task in 'none' with its upstream counters.
type waitingTask struct {
	TaskID     string
	Rule       TriggerRule
	Counts     upstreamCounts
	Done       int
	Downstream []string
}

func scanWaiting(rows pgx.Rows) ([]waitingTask, error) {
	defer rows.Close()
	var out []waitingTask
	for rows.Next() {
		var w waitingTask
		if err := rows.Scan(&w.TaskID, &w.Rule, &w.Counts.Total, &w.Done, &w.Counts.Success,
			&w.Counts.Failed, &w.Counts.Skipped, &w.Downstream); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// bumpDownstream counts one finished upstream (with outcome st) into each
// of the given downstream tasks that is still waiting.
func bumpDownstream(ctx context.Context, tx pgx.Tx, runID string, downstream []string, st TaskState) ([]waitingTask, error) {
	rows, err := tx.Query(ctx, sqlBumpDownstream, bumpArgs(runID, downstream, st)...)
	if err != nil {
		return nil, err
	}
	return scanWaiting(rows)
}

// bumpArgs are sqlBumpDownstream's arguments for one upstream outcome.
func bumpArgs(runID string, downstream []string, st TaskState) []any {
	var ok, failed, skipped int
	switch st {
	case TaskSuccess:
		ok = 1
	case TaskFailed, TaskUpstreamFailed:
		failed = 1
	case TaskSkipped:
		skipped = 1
	}
	return []any{runID, downstream, ok, failed, skipped}
}

// settle applies the trigger rule of every waiting task whose upstream tasks
// are all done, and cascades: a task decided upstream_failed or skipped is
// itself a finished upstream for its own downstream. Returns how many tasks
// became scheduled.
func settle(ctx context.Context, tx pgx.Tx, runID string, waiting []waitingTask) (int, error) {
	scheduled := 0
	for len(waiting) > 0 {
		var ids, states []string
		type outcome struct {
			downstream []string
			state      TaskState
		}
		var cascade []outcome
		for _, w := range waiting {
			if !w.Rule.ready(w.Done, w.Counts) {
				continue
			}
			st := w.Rule.decide(w.Counts)
			ids, states = append(ids, w.TaskID), append(states, string(st))
			if st == TaskScheduled {
				scheduled++
			} else if len(w.Downstream) > 0 {
				cascade = append(cascade, outcome{w.Downstream, st})
			}
		}
		if len(ids) == 0 {
			break
		}
		b := &pgx.Batch{}
		b.Queue(sqlDecideTIs, runID, ids, states)
		if scheduled > 0 {
			b.Queue(sqlNotify, chanTasks, "") // delivered at commit
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return scheduled, err
		}
		waiting = nil
		for _, c := range cascade {
			next, err := bumpDownstream(ctx, tx, runID, c.downstream, c.state)
			if err != nil {
				return scheduled, err
			}
			waiting = append(waiting, next...)
		}
	}
	return scheduled, nil
}

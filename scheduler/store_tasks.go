package scheduler

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// ListTaskInstances returns a run's task instances in definition order.
func (s *Store) ListTaskInstances(ctx context.Context, runID string) ([]TaskInstance, error) {
	if _, err := s.GetRun(ctx, runID); err != nil {
		return nil, err
	}
	return s.drv.ListTaskInstances(ctx, runID)
}

// GetTaskInstance returns one task instance with every attempt: the
// finished ones from the history, then the current one if it is active.
func (s *Store) GetTaskInstance(ctx context.Context, runID, taskID string) (TaskInstance, error) {
	t, err := s.drv.GetTaskInstance(ctx, runID, taskID)
	if err != nil {
		return t, err
	}
	if t.Attempts, err = s.drv.ListAttempts(ctx, runID, taskID); err != nil {
		return t, err
	}
	if t.State == TaskQueued || t.State == TaskRunning {
		t.Attempts = append(t.Attempts, Attempt{TryNumber: t.TryNumber, State: t.State, StartDate: t.StartDate, Hostname: t.Hostname})
	}
	return t, nil
}

// ClearTask resets a task instance (and, with downstream, every task
// downstream of it) so it runs again with a fresh retry budget. A finished
// run goes back to running. Clearing a queued or running task is
// ErrConflict: it would run twice at once; downstream tasks that are
// active are left to finish.
func (s *Store) ClearTask(ctx context.Context, runID, taskID string, downstream bool) error {
	return s.clear(ctx, runID, func(tis []TaskInstance) ([]string, error) {
		byID := map[string]TaskInstance{}
		for _, t := range tis {
			byID[t.TaskID] = t
		}
		t, ok := byID[taskID]
		if !ok {
			return nil, notFoundf("task %q in run %q", taskID, runID)
		}
		if t.State == TaskQueued || t.State == TaskRunning {
			return nil, fmt.Errorf("%w: task %q is %s; wait for it or mark it first", ErrConflict, taskID, t.State)
		}
		ids := []string{taskID}
		if downstream {
			ids = closure(byID, ids)
		}
		return ids, nil
	}, false)
}

// ClearRun clears a run's tasks: all of them, or with onlyFailed the failed
// and upstream_failed ones plus their downstream. A finished run cleared
// entirely goes back to queued (max_active_runs applies again).
func (s *Store) ClearRun(ctx context.Context, runID string, onlyFailed bool) error {
	return s.clearRun(ctx, runID, onlyFailed, nil)
}

// clearRun is ClearRun, optionally attaching the run to a backfill.
func (s *Store) clearRun(ctx context.Context, runID string, onlyFailed bool, inTx driver.Executor) error {
	pick := func(tis []TaskInstance) ([]string, error) {
		byID := map[string]TaskInstance{}
		var ids []string
		for _, t := range tis {
			byID[t.TaskID] = t
			if !onlyFailed || t.State == TaskFailed || t.State == TaskUpstreamFailed {
				ids = append(ids, t.TaskID)
			}
		}
		return closure(byID, ids), nil
	}
	if inTx != nil {
		_, err := clearInTx(ctx, inTx, runID, pick, !onlyFailed)
		return err
	}
	return s.clear(ctx, runID, pick, !onlyFailed)
}

// closure returns ids plus every task downstream of them.
func closure(byID map[string]TaskInstance, ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for len(ids) > 0 {
		id := ids[0]
		ids = ids[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
		ids = append(ids, byID[id].Downstream...)
	}
	return out
}

// clear runs a clear in its own transaction, then finishes the run if
// nothing was left to do.
func (s *Store) clear(ctx context.Context, runID string, pick func([]TaskInstance) ([]string, error), requeue bool) error {
	var running bool
	err := s.tx(ctx, func(tx driver.Executor) error {
		var err error
		running, err = clearInTx(ctx, tx, runID, pick, requeue)
		return err
	})
	if err == nil && running {
		_, err = s.finishRuns(ctx, []string{runID})
	}
	return err
}

// clearInTx clears the picked tasks of a locked run. With requeue and a
// finished run whose tasks are all cleared, the run goes back to queued;
// otherwise a finished run goes back to running and ready tasks are
// scheduled at once. Reports whether the run is running afterwards.
func clearInTx(ctx context.Context, tx driver.Executor, runID string, pick func([]TaskInstance) ([]string, error), requeue bool) (bool, error) {
	run, err := tx.LockRun(ctx, runID)
	if err != nil {
		return false, err
	}
	tis, err := tx.ListTaskInstances(ctx, runID)
	if err != nil {
		return false, err
	}
	ids, err := pick(tis)
	if err != nil {
		return false, err
	}
	cleared, err := tx.ClearTaskInstances(ctx, runID, ids)
	if err != nil {
		return false, err
	}
	state := run.State
	switch {
	case run.State.Finished() && requeue && cleared == int64(len(tis)):
		state = RunQueued
	case run.State.Finished():
		state = RunRunning
	}
	if state != run.State {
		if err := tx.SetRunState(ctx, runID, state); err != nil {
			return false, err
		}
	}
	if state == RunQueued {
		return false, tx.Notify(ctx, driver.ChanScheduler)
	}
	return state == RunRunning, resettle(ctx, tx, runID)
}

// resettle recounts the upstream outcomes of a running run's waiting tasks
// from their actual states and schedules or decides those that are ready.
func resettle(ctx context.Context, tx driver.Executor, runID string) error {
	waiting, err := tx.RecountUpstream(ctx, runID)
	if err != nil {
		return err
	}
	_, err = settle(ctx, tx, runID, waiting)
	return err
}

// MarkTask sets a task instance's state by hand (success, failed or
// skipped), then lets its downstream proceed accordingly. An active
// attempt of the task is abandoned: its worker's report is fenced off and
// the worker cancels it at its next heartbeat.
func (s *Store) MarkTask(ctx context.Context, runID, taskID string, state TaskState) error {
	ok := false
	for _, m := range markableTaskStates {
		ok = ok || m == state
	}
	if !ok {
		return fmt.Errorf("%w: can only mark a task success, failed or skipped, not %q", ErrInvalid, state)
	}
	var running bool
	err := s.tx(ctx, func(tx driver.Executor) error {
		run, err := tx.LockRun(ctx, runID)
		if err != nil {
			return err
		}
		t, err := tx.GetTaskInstance(ctx, runID, taskID)
		if err != nil {
			return err
		}
		if err := checkTransition(t.State, state); err != nil {
			return err
		}
		if err := tx.MarkTaskInstance(ctx, runID, taskID, state); err != nil {
			return err
		}
		running = run.State == RunRunning
		if !running {
			return nil
		}
		return resettle(ctx, tx, runID)
	})
	if err == nil && running {
		_, err = s.finishRuns(ctx, []string{runID})
	}
	return err
}

// MarkRun sets a run's final state by hand: success marks its unfinished
// tasks success; failed fails active attempts and skips waiting tasks.
func (s *Store) MarkRun(ctx context.Context, runID string, state RunState) error {
	if state != RunSuccess && state != RunFailed {
		return fmt.Errorf("%w: can only mark a run success or failed, not %q", ErrInvalid, state)
	}
	return s.tx(ctx, func(tx driver.Executor) error {
		if _, err := tx.LockRun(ctx, runID); err != nil {
			return err
		}
		if err := endRun(ctx, tx, runID, state); err != nil {
			return err
		}
		return tx.Notify(ctx, driver.ChanScheduler)
	})
}

// endRun gives a run and its unfinished tasks a final state by hand.
func endRun(ctx context.Context, tx driver.Executor, runID string, state RunState) error {
	if err := tx.MarkRunTaskInstances(ctx, runID, state); err != nil {
		return err
	}
	return tx.SetRunState(ctx, runID, state)
}

package scheduler

import "fmt"

// This file is the orchestrator's state machine: the DagRun and task
// instance states (Airflow's vocabulary), the transitions allowed between
// them, and the trigger rules that decide a task's state once its upstream
// tasks are done. Store code asks canTransition before writing a state by
// hand (mark, clear) and the dispatch SQL only ever moves rows along the
// edges listed here.

// The state names themselves (RunState, TaskState, TriggerRule and their
// constants) are in internal/model, shared with the store's driver.

// taskTransitions lists, for each state, the states a task instance may
// move to. Clear (→ none) and mark (→ success/failed) are allowed from every
// state except where listed otherwise; a worker may only start a task that is
// queued, and may only finish the attempt it holds (the try number fences it).
var taskTransitions = map[TaskState][]TaskState{
	TaskNone:           {TaskScheduled, TaskUpstreamFailed, TaskSkipped, TaskSuccess, TaskFailed},
	TaskScheduled:      {TaskQueued, TaskNone, TaskSuccess, TaskFailed, TaskSkipped},
	TaskQueued:         {TaskRunning, TaskScheduled, TaskUpForRetry, TaskFailed, TaskNone, TaskSuccess},
	TaskRunning:        {TaskSuccess, TaskFailed, TaskUpForRetry, TaskNone, TaskSkipped},
	TaskUpForRetry:     {TaskQueued, TaskNone, TaskSuccess, TaskFailed},
	TaskSuccess:        {TaskNone, TaskFailed},
	TaskFailed:         {TaskNone, TaskSuccess},
	TaskUpstreamFailed: {TaskNone, TaskSuccess, TaskFailed},
	TaskSkipped:        {TaskNone, TaskSuccess, TaskFailed},
}

// canTransition reports whether a task instance may move from one state to
// another.
func canTransition(from, to TaskState) bool {
	for _, s := range taskTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// checkTransition returns an ErrConflict error when from → to is not allowed.
func checkTransition(from, to TaskState) error {
	if !to.Valid() {
		return fmt.Errorf("%w: unknown task state %q", ErrInvalid, to)
	}
	if !canTransition(from, to) {
		return fmt.Errorf("%w: task instance cannot go from %s to %s", ErrConflict, from, to)
	}
	return nil
}

// markableTaskStates are the states a user may set by hand (mark).
var markableTaskStates = []TaskState{TaskSuccess, TaskFailed, TaskSkipped}

// upstreamCounts summarises finished upstream tasks; failed counts both
// failed and upstream_failed.
type upstreamCounts struct {
	Total, Success, Failed, Skipped int
}

// ruleReady reports whether a waiting task can be decided, given how many of
// its upstream tasks are done and how.
func ruleReady(r TriggerRule, done int, c upstreamCounts) bool {
	switch {
	case done >= c.Total:
		return true
	case r == OneSuccess:
		return c.Success > 0
	case r == OneFailed:
		return c.Failed > 0
	}
	return false
}

// ruleDecide returns the state a ready task in TaskNone moves to: TaskScheduled
// to run it, or a terminal state.
func ruleDecide(r TriggerRule, c upstreamCounts) TaskState {
	switch r {
	case AllDone:
		return TaskScheduled
	case AllFailed:
		if c.Failed == c.Total {
			return TaskScheduled
		}
		return TaskSkipped
	case OneSuccess:
		if c.Success > 0 || c.Total == 0 {
			return TaskScheduled
		}
		if c.Failed > 0 {
			return TaskUpstreamFailed
		}
		return TaskSkipped
	case OneFailed:
		if c.Failed > 0 || c.Total == 0 {
			return TaskScheduled
		}
		return TaskSkipped
	case NoneFailed:
		if c.Failed > 0 {
			return TaskUpstreamFailed
		}
		return TaskScheduled
	default: // AllSuccess
		if c.Failed > 0 {
			return TaskUpstreamFailed
		}
		if c.Skipped > 0 {
			return TaskSkipped
		}
		return TaskScheduled
	}
}

// A run whose tasks have all finished fails when a leaf task (one with no
// downstream) failed or never ran because an upstream failed, else it
// succeeds: Airflow's rule, so an all_done clean-up leaf can rescue a run.
// The rule is applied atomically by the store (pgstore: sqlFinishRuns).

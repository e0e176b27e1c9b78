package scheduler

import "fmt"

// This file is the orchestrator's state machine: the DagRun and task
// instance states (Airflow's vocabulary), the transitions allowed between
// them, and the trigger rules that decide a task's state once its upstream
// tasks are done. Store code asks CanTransition before writing a state by
// hand (mark, clear) and the dispatch SQL only ever moves rows along the
// edges listed here.

// RunState is a DagRun's state.
type RunState string

// DagRun states.
const (
	RunQueued  RunState = "queued"  // created, waiting for a max_active_runs slot
	RunRunning RunState = "running" // its tasks may be scheduled
	RunSuccess RunState = "success" // every leaf task succeeded or was skipped
	RunFailed  RunState = "failed"  // a leaf task failed, or marked failed by hand
)

// TaskState is a task instance's state.
type TaskState string

// Task instance states. TaskNone is Airflow's "no status": the task waits
// for its upstream tasks.
const (
	TaskNone           TaskState = "none"
	TaskScheduled      TaskState = "scheduled"       // dependencies met, waiting for a worker
	TaskQueued         TaskState = "queued"          // claimed by a worker (started in the same transaction)
	TaskRunning        TaskState = "running"         // a worker runs the attempt
	TaskSuccess        TaskState = "success"         // finished without error
	TaskFailed         TaskState = "failed"          // failed with no retry left
	TaskUpForRetry     TaskState = "up_for_retry"    // failed, will run again after a delay
	TaskUpstreamFailed TaskState = "upstream_failed" // will not run: an upstream failed
	TaskSkipped        TaskState = "skipped"         // will not run: trigger rule not met
)

// Finished reports whether a task instance state is terminal.
func (s TaskState) Finished() bool {
	switch s {
	case TaskSuccess, TaskFailed, TaskUpstreamFailed, TaskSkipped:
		return true
	}
	return false
}

// Valid reports whether s is one of the task states.
func (s TaskState) Valid() bool {
	_, ok := taskTransitions[s]
	return ok
}

// Valid reports whether s is one of the run states.
func (s RunState) Valid() bool {
	switch s {
	case RunQueued, RunRunning, RunSuccess, RunFailed:
		return true
	}
	return false
}

// Finished reports whether a run state is terminal.
func (s RunState) Finished() bool { return s == RunSuccess || s == RunFailed }

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

// CanTransition reports whether a task instance may move from one state to
// another.
func CanTransition(from, to TaskState) bool {
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
	if !CanTransition(from, to) {
		return fmt.Errorf("%w: task instance cannot go from %s to %s", ErrConflict, from, to)
	}
	return nil
}

// markableTaskStates are the states a user may set by hand (mark).
var markableTaskStates = []TaskState{TaskSuccess, TaskFailed, TaskSkipped}

// TriggerRule decides when a task runs, given its upstream tasks' outcomes.
// Rules are evaluated once every upstream task has finished, except
// one_success and one_failed, which fire as soon as one upstream succeeded
// (failed), as in Airflow.
type TriggerRule string

// Trigger rules (Airflow names). The zero value means AllSuccess.
const (
	AllSuccess TriggerRule = "all_success" // every upstream succeeded (default)
	AllDone    TriggerRule = "all_done"    // every upstream finished, whatever the outcome
	AllFailed  TriggerRule = "all_failed"  // every upstream failed or upstream_failed
	OneSuccess TriggerRule = "one_success" // at least one upstream succeeded
	OneFailed  TriggerRule = "one_failed"  // at least one upstream failed
	NoneFailed TriggerRule = "none_failed" // no upstream failed (success or skipped)
)

// Valid reports whether r is a known rule (or empty, meaning AllSuccess).
func (r TriggerRule) Valid() bool {
	switch r {
	case "", AllSuccess, AllDone, AllFailed, OneSuccess, OneFailed, NoneFailed:
		return true
	}
	return false
}

// upstreamCounts summarises finished upstream tasks; failed counts both
// failed and upstream_failed.
type upstreamCounts struct {
	Total, Success, Failed, Skipped int
}

// ready reports whether a waiting task can be decided, given how many of
// its upstream tasks are done and how.
func (r TriggerRule) ready(done int, c upstreamCounts) bool {
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

// decide returns the state a ready task in TaskNone moves to: TaskScheduled
// to run it, or a terminal state.
func (r TriggerRule) decide(c upstreamCounts) TaskState {
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
// The rule is applied atomically by the finishRun statement in queries.go.

package model

// RunState is a DagRun's state.
type RunState string

// DagRun states.
const (
	RunQueued  RunState = "queued"  // created, waiting for a max_active_runs slot
	RunRunning RunState = "running" // its tasks may be scheduled
	RunSuccess RunState = "success" // every leaf task succeeded or was skipped
	RunFailed  RunState = "failed"  // a leaf task failed, or marked failed by hand
)

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
	switch s {
	case TaskNone, TaskScheduled, TaskQueued, TaskRunning, TaskSuccess, TaskFailed,
		TaskUpForRetry, TaskUpstreamFailed, TaskSkipped:
		return true
	}
	return false
}

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

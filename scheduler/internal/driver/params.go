package driver

import (
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/model"
)

// DAGDef is a DAG definition as synced from a binary's registry.
type DAGDef struct {
	DAGID          string
	Description    string
	Schedule       string
	StartDate      time.Time
	Catchup        bool
	MaxActiveRuns  int
	MaxActiveTasks int
	Params         map[string]any
	Tags           []string
}

// TaskDef is one task's synced definition.
type TaskDef struct {
	TaskID             string
	Upstream           []string
	Downstream         []string
	Retries            int
	RetryDelay         time.Duration
	MaxRetryDelay      time.Duration
	ExponentialBackoff bool
	Timeout            time.Duration
	Pool               string
	TriggerRule        model.TriggerRule
}

// RunStats is the scheduling state of one DAG.
type RunStats struct {
	Paused bool
	// LastScheduled is the newest logical date of a scheduled run (nil: none).
	LastScheduled *time.Time
	// Active counts the DAG's queued and running runs outside backfills.
	Active int
}

// NewRun is a run to insert. RunID must be set.
type NewRun struct {
	RunID, DAGID, RunType string
	LogicalDate           time.Time
	IntervalStart         time.Time
	IntervalEnd           time.Time
	Conf                  map[string]any
	BackfillID            *int64
	BackfillSort          int
}

// ListRunsParams filter and page ListRuns. Zero fields do not filter; rows
// come newest logical date first, then by run id descending, starting
// strictly after the cursor (AfterDate, AfterID) when AfterDate is set.
type ListRunsParams struct {
	DAGID     string
	State     model.RunState
	From, To  *time.Time
	AfterDate *time.Time
	AfterID   string
	Limit     int
}

// FinishedRun is a run FinishRuns ended.
type FinishedRun struct {
	RunID, DAGID string
	State        model.RunState
	Duration     time.Duration
}

// AttemptKey names one attempt: the try number is its fencing token.
type AttemptKey struct {
	RunID, TaskID string
	Try           int
}

// ClaimParams ask for up to Max ready task instances of DAGIDs in Pools
// (empty: any pool) for a worker. A claim honours pool slots and each DAG's
// max_active_tasks exactly, skips paused DAGs, runs that are not running
// and rows other transactions hold, moves each picked task to queued with
// try_number+1 and then to running, in one transaction.
type ClaimParams struct {
	WorkerID, Host string
	Pools, DAGIDs  []string
	Max            int
}

// ClaimedTask is everything a worker needs to run a claimed attempt.
type ClaimedTask struct {
	RunID, TaskID, DAGID string
	Try                  int
	MaxTries             int
	Timeout              time.Duration
	RetryDelay           time.Duration
	MaxRetryDelay        time.Duration
	Exponential          bool
	Logical              time.Time
	IntervalStart        time.Time
	IntervalEnd          time.Time
	// Conf is the run's conf; Params the DAG's params (never nil).
	Conf, Params map[string]any
	Downstream   []string
	// ReadyAt and ClaimedAt (database time) give the queue wait.
	ReadyAt, ClaimedAt time.Time
}

// FinishParams describe an attempt's end. Only attempt Try, and only while
// the task is in one of From, may be finished: the fence that keeps a worker
// which lost its lease from overwriting a newer attempt.
type FinishParams struct {
	AttemptKey
	From  []model.TaskState
	To    model.TaskState // success, failed or up_for_retry
	Error string
	// RetryIn delays an up_for_retry task's readiness.
	RetryIn time.Duration
	// GiveBack tries are returned to the budget (worker shutdown).
	GiveBack int
}

// FinishResult answers FinishAttempt.
type FinishResult struct {
	// Finished is false when the fence rejected the report.
	Finished bool
	// Downstream is the task's downstream task ids.
	Downstream []string
	// Bumped are the downstream tasks counted when a bump was asked for.
	Bumped []WaitingTask
}

// Bump counts one finished upstream, by outcome, into its downstream tasks.
type Bump struct {
	Downstream               []string
	Success, Failed, Skipped int
}

// WaitingTask is a task in none with its upstream counters.
type WaitingTask struct {
	TaskID     string
	Rule       model.TriggerRule
	Total      int // upstream tasks
	Done       int // of which finished
	Success    int
	Failed     int // failed or upstream_failed
	Skipped    int
	Downstream []string
}

// Orphan is an active attempt whose worker vanished, with its retry policy.
type Orphan struct {
	AttemptKey
	Worker        string
	MaxTries      int
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
	Exponential   bool
}

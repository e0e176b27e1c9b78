package scheduler

import (
	"encoding/json"
	"time"
)

// The types below are what the Store returns to the web layer and the CLI.
// They carry JSON tags in the REST API's snake_case so handlers can encode
// them directly.

// DAGInfo is a DAG definition as synced into PostgreSQL, plus its state.
type DAGInfo struct {
	DAGID          string         `json:"dag_id"`
	Description    string         `json:"description"`
	Schedule       string         `json:"schedule"`
	StartDate      time.Time      `json:"start_date"`
	Catchup        bool           `json:"catchup"`
	MaxActiveRuns  int            `json:"max_active_runs"`
	MaxActiveTasks int            `json:"max_active_tasks"`
	Params         map[string]any `json:"params"`
	Tags           []string       `json:"tags"`
	IsPaused       bool           `json:"is_paused"`
	// IsActive is false when the last synced binary no longer defines the DAG.
	IsActive bool       `json:"is_active"`
	Tasks    []TaskInfo `json:"tasks,omitempty"` // filled by GetDAG
	// NextLogicalDate is the logical date of the next scheduled run (nil when
	// unscheduled); LastRun is the most recent run, if any (ListDAGs, GetDAG).
	NextLogicalDate *time.Time `json:"next_logical_date"`
	LastRun         *DagRun    `json:"last_run"`
}

// TaskInfo is one task's synced definition.
type TaskInfo struct {
	TaskID             string      `json:"task_id"`
	Upstream           []string    `json:"upstream"`
	Downstream         []string    `json:"downstream"`
	Retries            int         `json:"retries"`
	RetryDelay         Duration    `json:"retry_delay"`
	MaxRetryDelay      Duration    `json:"max_retry_delay"`
	ExponentialBackoff bool        `json:"exponential_backoff"`
	Timeout            Duration    `json:"timeout"`
	Pool               string      `json:"pool"`
	TriggerRule        TriggerRule `json:"trigger_rule"`
}

// Duration encodes as seconds in JSON (Airflow's REST API style).
type Duration time.Duration

// MarshalJSON writes the duration in seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).Seconds())
}

// Run types.
const (
	RunTypeScheduled = "scheduled"
	RunTypeManual    = "manual"
	RunTypeBackfill  = "backfill"
)

// DagRun is one run of a DAG.
type DagRun struct {
	RunID             string         `json:"run_id"`
	DAGID             string         `json:"dag_id"`
	LogicalDate       time.Time      `json:"logical_date"`
	DataIntervalStart time.Time      `json:"data_interval_start"`
	DataIntervalEnd   time.Time      `json:"data_interval_end"`
	RunType           string         `json:"run_type"`
	State             RunState       `json:"state"`
	Conf              map[string]any `json:"conf"`
	BackfillID        *int64         `json:"backfill_id"`
	QueuedAt          time.Time      `json:"queued_at"`
	StartDate         *time.Time     `json:"start_date"`
	EndDate           *time.Time     `json:"end_date"`
}

// TaskInstance is one task in one run; its fields describe the current (or
// last) attempt, and Attempts (GetTaskInstance only) every finished one.
type TaskInstance struct {
	RunID       string      `json:"run_id"`
	DAGID       string      `json:"dag_id"`
	TaskID      string      `json:"task_id"`
	State       TaskState   `json:"state"`
	TryNumber   int         `json:"try_number"`
	MaxTries    int         `json:"max_tries"`
	Upstream    []string    `json:"upstream"`
	Downstream  []string    `json:"downstream"`
	Pool        string      `json:"pool"`
	TriggerRule TriggerRule `json:"trigger_rule"`
	// ReadyAt is when a scheduled or up_for_retry task may start.
	ReadyAt   *time.Time `json:"ready_at"`
	QueuedAt  *time.Time `json:"queued_at"`
	StartDate *time.Time `json:"start_date"`
	EndDate   *time.Time `json:"end_date"`
	// Duration is end - start in seconds (nil until both are known).
	Duration *float64  `json:"duration"`
	Hostname string    `json:"hostname"`
	Error    string    `json:"error"`
	Attempts []Attempt `json:"attempts,omitempty"`
}

// Attempt is one finished try of a task instance.
type Attempt struct {
	TryNumber int        `json:"try_number"`
	State     TaskState  `json:"state"`
	StartDate *time.Time `json:"start_date"`
	EndDate   time.Time  `json:"end_date"`
	Duration  *float64   `json:"duration"`
	Hostname  string     `json:"hostname"`
	Error     string     `json:"error"`
}

// LogLine is one line of an attempt's log. Line numbers start at 1.
type LogLine struct {
	Line    int       `json:"line"`
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Message string    `json:"message"`
}

// RunFilter selects runs for ListRuns. Zero fields do not filter. Runs are
// ordered newest logical date first; Cursor is the NextCursor of the
// previous page.
type RunFilter struct {
	DAGID  string
	State  RunState
	From   time.Time // logical_date >= From
	To     time.Time // logical_date <= To
	Cursor string
	Limit  int // default 50, at most 500
}

// RunPage is one page of runs; NextCursor is empty on the last page.
type RunPage struct {
	Runs       []DagRun `json:"runs"`
	NextCursor string   `json:"next_cursor"`
}

// TriggerOptions are the optional parts of a manual run.
type TriggerOptions struct {
	// RunID defaults to "<dag>__manual__<logical date>".
	RunID string
	// LogicalDate defaults to now.
	LogicalDate time.Time
	Conf        map[string]any
}

func durPtr(start, end *time.Time) *float64 {
	if start == nil || end == nil {
		return nil
	}
	d := end.Sub(*start).Seconds()
	return &d
}

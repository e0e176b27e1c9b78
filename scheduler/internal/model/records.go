package model

import (
	"encoding/json"
	"time"
)

// The records below are what the store returns. They carry JSON tags in the
// REST API's snake_case so handlers can encode them directly.

// DAGInfo is a DAG definition as synced into PostgreSQL, plus its state.
type DAGInfo struct {
	DAGID       string `json:"dag_id"`
	Description string `json:"description"`
	Schedule    string `json:"schedule"`
	// Assets are the names of the assets the DAG is scheduled on (alone,
	// or beside Schedule: either one queues a run). Empty when none.
	Assets []string `json:"assets"`
	// AssetCondition says how several Assets combine: "all" (every one
	// has a new event, Airflow's default) or "any".
	AssetCondition string         `json:"asset_condition"`
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

// Backfill is a created backfill with its runs' counts by state.
type Backfill struct {
	ID            int64          `json:"id"`
	DAGID         string         `json:"dag_id"`
	From          time.Time      `json:"from_date"`
	To            time.Time      `json:"to_date"`
	Reprocess     string         `json:"reprocess"`
	MaxActiveRuns int            `json:"max_active_runs"`
	RunBackwards  bool           `json:"run_backwards"`
	Conf          map[string]any `json:"conf"`
	State         string         `json:"state"`
	CreatedAt     time.Time      `json:"created_at"`
	CompletedAt   *time.Time     `json:"completed_at"`
	RunCounts     map[string]int `json:"run_counts"`
}

// Pool is a named limit on how many task instances run at once; tasks name
// their pool in TaskOptions.Pool. Pools that tasks name are created with
// 128 slots when DAGs are synced; SetPool changes them.
type Pool struct {
	Name        string `json:"name"`
	Slots       int    `json:"slots"`
	Description string `json:"description"`
	Occupied    int    `json:"occupied"` // attempts queued or running now
}

// WorkerInfo is a worker process as it registered and last heartbeated.
type WorkerInfo struct {
	WorkerID    string     `json:"worker_id"`
	Hostname    string     `json:"hostname"`
	PID         int        `json:"pid"`
	Pools       []string   `json:"pools"`
	Concurrency int        `json:"concurrency"`
	StartedAt   time.Time  `json:"started_at"`
	HeartbeatAt time.Time  `json:"heartbeat_at"`
	StoppedAt   *time.Time `json:"stopped_at"`
	Running     int        `json:"running"`
}

// SchedulerConn is a scheduler process seen from PostgreSQL: its listening
// connection. Schedulers keep no heartbeat row of their own; the
// connection lives exactly as long as the process (a restarted listener
// reconnects, so ConnectedAt may be later than the process start).
type SchedulerConn struct {
	PID         int       `json:"backend_pid"`
	Client      string    `json:"client_addr"` // "" for a Unix socket
	ConnectedAt time.Time `json:"connected_at"`
}

// CleanResult counts what CleanRuns deleted (or would delete).
type CleanResult struct {
	Runs          int64 `json:"runs"`
	TaskInstances int64 `json:"task_instances"`
	Attempts      int64 `json:"attempts"`
	LogLines      int64 `json:"log_lines"`
	Workers       int64 `json:"workers"` // worker registry rows
	// AssetEvents are events older than the cutoff that no remaining run
	// covers and no DAG waits on (each asset's newest is kept).
	AssetEvents int64 `json:"asset_events"`
}

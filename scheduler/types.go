package scheduler

import (
	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

// The records the Store returns and the names of their states are defined
// in internal/model, which the engine and its driver share; they are the
// same types under the same names here. Their documentation is there.
type (
	// DAGInfo is a DAG definition as synced into the database, plus its state.
	DAGInfo = model.DAGInfo
	// TaskInfo is one task's synced definition.
	TaskInfo = model.TaskInfo
	// Duration encodes as seconds in JSON (Airflow's REST API style).
	Duration = model.Duration
	// DagRun is one run of a DAG.
	DagRun = model.DagRun
	// TaskInstance is one task in one run, with its current (or last) attempt.
	TaskInstance = model.TaskInstance
	// Attempt is one finished try of a task instance.
	Attempt = model.Attempt
	// LogLine is one line of an attempt's log. Line numbers start at 1.
	LogLine = model.LogLine
	// Backfill is a created backfill with its runs' counts by state.
	Backfill = model.Backfill
	// Pool is a named limit on how many task instances run at once.
	Pool = model.Pool
	// WorkerInfo is a worker process as it registered and last heartbeated.
	WorkerInfo = model.WorkerInfo
	// SchedulerConn is a scheduler process seen from the database.
	SchedulerConn = model.SchedulerConn
	// CleanResult counts what CleanRuns deleted (or would delete).
	CleanResult = model.CleanResult
	// Asset is a registered asset: a Kafka topic or a Delta table.
	Asset = model.Asset
	// AssetKind says what an asset is.
	AssetKind = model.AssetKind
	// AssetEvent is one recorded change of an asset, with its source.
	AssetEvent = model.AssetEvent
	// AssetInfo is an asset with its consumers, producers, last event and lag.
	AssetInfo = model.AssetInfo
	// AssetEventFilter selects a page of asset events.
	AssetEventFilter = model.AssetEventFilter
	// ConsumedOffset is how far a task reported consuming one partition of
	// a topic asset (TaskContext.Consumed): NextOffset is exclusive.
	ConsumedOffset = driver.ConsumedOffset

	// RunState is a DagRun's state.
	RunState = model.RunState
	// TaskState is a task instance's state.
	TaskState = model.TaskState
	// TriggerRule decides when a task runs, given its upstream tasks' outcomes.
	TriggerRule = model.TriggerRule
)

// Run types.
const (
	RunTypeScheduled = model.RunTypeScheduled
	RunTypeManual    = model.RunTypeManual
	RunTypeBackfill  = model.RunTypeBackfill
	// RunTypeAssetTriggered runs were queued by asset events.
	RunTypeAssetTriggered = model.RunTypeAssetTriggered
)

// Asset kinds.
const (
	AssetKafkaTopic = model.AssetKafkaTopic
	AssetDeltaTable = model.AssetDeltaTable
)

// DagRun states.
const (
	RunQueued  = model.RunQueued
	RunRunning = model.RunRunning
	RunSuccess = model.RunSuccess
	RunFailed  = model.RunFailed
)

// Task instance states (see statemachine.go).
const (
	TaskNone           = model.TaskNone
	TaskScheduled      = model.TaskScheduled
	TaskQueued         = model.TaskQueued
	TaskRunning        = model.TaskRunning
	TaskSuccess        = model.TaskSuccess
	TaskFailed         = model.TaskFailed
	TaskUpForRetry     = model.TaskUpForRetry
	TaskUpstreamFailed = model.TaskUpstreamFailed
	TaskSkipped        = model.TaskSkipped
)

// Trigger rules (Airflow names). The zero value means AllSuccess.
const (
	AllSuccess = model.AllSuccess
	AllDone    = model.AllDone
	AllFailed  = model.AllFailed
	OneSuccess = model.OneSuccess
	OneFailed  = model.OneFailed
	NoneFailed = model.NoneFailed
)

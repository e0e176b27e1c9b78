// Package driver is the seam between the orchestrator's engine (package
// scheduler: scheduler, worker, reaper, backfills, the operator API) and
// the database that coordinates it, after River's riverdriver: the engine
// sees only these interfaces; a driver (pgstore, for PostgreSQL through
// pgx) holds every SQL statement, scans rows into model records and turns
// its errors into ErrNotFound, ErrConflict and ErrInvalid.
//
// Methods are at the level of one statement (or one round trip) each, so
// that every decision — which tasks are ready, what a failure becomes,
// which dates a backfill creates — stays in the engine, and a driver is
// tested on its own by drivertest's conformance suite.
package driver

import (
	"context"
	"time"

	"github.com/finpipe/finpipe/migrations"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

// Driver is a connection to the coordinating database.
type Driver interface {
	Executor
	// InTx runs fn in one transaction on an Executor bound to it,
	// committing when fn returns nil and rolling back otherwise.
	// Notifications sent in fn are delivered at commit.
	InTx(ctx context.Context, fn func(Executor) error) error
	// Claim takes up to p.Max ready task instances for a worker and starts
	// them (see ClaimParams), atomically.
	Claim(ctx context.Context, p ClaimParams) ([]ClaimedTask, error)
	// FinishLeaf records the end of an attempt of a task without
	// downstream and, when checkRun, finishes its run if every task is
	// done, in one round trip. It reports whether the fence let it finish.
	FinishLeaf(ctx context.Context, p FinishParams, checkRun bool) (bool, []FinishedRun, error)
	// Listen delivers a call to onWake on every notification on channel,
	// and once when the subscription is (re)established (notifications sent
	// while it was not are lost). It returns when ctx ends or the
	// connection is lost; the caller reconnects.
	Listen(ctx context.Context, channel string, onWake func()) error
	// TryLock takes a cross-process lock named key without waiting; it
	// returns ok=false when another holder has it. unlock releases it.
	TryLock(ctx context.Context, key string) (unlock func(context.Context) error, ok bool, err error)
	// TryLease is TryLock for a holder that must know it still holds the
	// lock: the lock is a session's, and lost with it (the holder died, or
	// its connection was cut), which Lease.Check reports.
	TryLease(ctx context.Context, key string) (Lease, bool, error)
	// Migrate applies pending schema migrations and returns them.
	Migrate(ctx context.Context) ([]migrations.Migration, error)
	// MigrationStatus lists every migration with when it was applied.
	MigrationStatus(ctx context.Context) ([]migrations.State, error)
	// CheckSchema fails (wrapping migrations.ErrBehind) when migrations are pending.
	CheckSchema(ctx context.Context) error
	Ping(ctx context.Context) error
	Close()
}

// Executor runs statements, either on the pool or inside a transaction.
type Executor interface {
	// Asset scheduling's statements are in assets.go.
	AssetExecutor

	// XactLock waits for a lock held until the current transaction ends.
	XactLock(ctx context.Context, l Lock) error
	// Notify wakes the listeners of channel (at commit, in a transaction).
	Notify(ctx context.Context, channel string) error

	// ---- DAG definitions ----

	// DeactivateDAGsExcept marks every DAG not in ids inactive.
	DeactivateDAGsExcept(ctx context.Context, ids []string) error
	// UpsertDAG writes a DAG definition (active), keeping its pause flag.
	UpsertDAG(ctx context.Context, d DAGDef) error
	// ReplaceDAGTasks replaces a DAG's task definitions.
	ReplaceDAGTasks(ctx context.Context, dagID string, tasks []TaskDef) error
	// EnsurePools creates the named pools (128 slots) that do not exist.
	EnsurePools(ctx context.Context, names []string) error
	ListDAGs(ctx context.Context) ([]model.DAGInfo, error)
	// GetDAG returns a DAG without tasks, last run or next date; ErrNotFound.
	GetDAG(ctx context.Context, dagID string) (model.DAGInfo, error)
	ListDAGTasks(ctx context.Context, dagID string) ([]model.TaskInfo, error)
	// PauseDAG sets the pause flag; ErrNotFound for an unknown DAG.
	PauseDAG(ctx context.Context, dagID string, paused bool) error
	// DAGRunStats is what run creation needs of a DAG; ErrNotFound when
	// the DAG is not synced.
	DAGRunStats(ctx context.Context, dagID string) (RunStats, error)

	// ---- runs ----

	// InsertRun creates a queued run and its task instances from the DAG's
	// definition. It returns created=false, and no error, when the run id
	// or the DAG's logical date is taken (run creation is idempotent).
	InsertRun(ctx context.Context, r NewRun) (run model.DagRun, created bool, err error)
	// GetRun returns a run; ErrNotFound.
	GetRun(ctx context.Context, runID string) (model.DagRun, error)
	// LockRun returns a run, locked until the transaction ends against
	// attempt finishes of the same run; ErrNotFound.
	LockRun(ctx context.Context, runID string) (model.DagRun, error)
	// LastRun returns the DAG's newest run by logical date, or nil.
	LastRun(ctx context.Context, dagID string) (*model.DagRun, error)
	ListRuns(ctx context.Context, p ListRunsParams) ([]model.DagRun, error)
	// ExistingRuns returns the DAG's runs at any of dates (run id, logical
	// date and state filled).
	ExistingRuns(ctx context.Context, dagID string, dates []time.Time) ([]model.DagRun, error)
	RunningRunIDs(ctx context.Context) ([]string, error)
	SetRunState(ctx context.Context, runID string, st model.RunState) error
	// PromoteRuns starts queued runs that max_active_runs (or their
	// backfill's) allows and schedules their root tasks; it returns how
	// many tasks became scheduled. Hold LockPromote.
	PromoteRuns(ctx context.Context) (int64, error)
	// FinishRuns gives each listed running run whose tasks are all done its
	// final state (statemachine.go's rule) and returns those it finished.
	FinishRuns(ctx context.Context, runIDs []string) ([]FinishedRun, error)
	// CountTaskStates counts every task instance by state.
	CountTaskStates(ctx context.Context) (map[string]int, error)

	// ---- task instances ----

	// ListTaskInstances returns a run's tasks in definition order.
	ListTaskInstances(ctx context.Context, runID string) ([]model.TaskInstance, error)
	// GetTaskInstance returns one task instance without attempts; ErrNotFound.
	GetTaskInstance(ctx context.Context, runID, taskID string) (model.TaskInstance, error)
	// ListAttempts returns the finished attempts of a task, oldest first.
	ListAttempts(ctx context.Context, runID, taskID string) ([]model.Attempt, error)
	// ClearTaskInstances resets the listed tasks that are not queued or
	// running to none with a fresh retry budget; it returns how many.
	ClearTaskInstances(ctx context.Context, runID string, taskIDs []string) (int64, error)
	// MarkTaskInstance sets a task's final state by hand.
	MarkTaskInstance(ctx context.Context, runID, taskID string, st model.TaskState) error
	// MarkRunTaskInstances ends every unfinished task of a run: with
	// success as success; with failed, active ones failed and waiting ones
	// skipped.
	MarkRunTaskInstances(ctx context.Context, runID string, st model.RunState) error
	// RecountUpstream recounts, from the actual states, the upstream
	// outcomes of a run's waiting tasks, and returns them.
	RecountUpstream(ctx context.Context, runID string) ([]WaitingTask, error)
	// BumpDownstream counts one finished upstream into each of its
	// downstream tasks still waiting and returns them with their new counts.
	BumpDownstream(ctx context.Context, runID string, b Bump) ([]WaitingTask, error)
	// DecideTaskInstances moves waiting tasks to the states decided for
	// them (scheduled: ready now; a final state: ended now). When any
	// becomes scheduled it notifies ChanTasks in the same round trip.
	DecideTaskInstances(ctx context.Context, runID string, taskIDs []string, states []model.TaskState) error
	// FinishAttempt records an attempt's end if the fence allows it (see
	// FinishParams), locking the run row against clear and mark. With
	// bump, the downstream is counted in the same round trip; when the
	// fence rejects the report the bump has run all the same, so the
	// caller (inside InTx) rolls the transaction back.
	FinishAttempt(ctx context.Context, p FinishParams, bump *Bump) (FinishResult, error)

	// ---- workers and the reaper ----

	RegisterWorker(ctx context.Context, w model.WorkerInfo) error
	// Heartbeat proves the worker alive and returns the attempts it holds.
	Heartbeat(ctx context.Context, workerID string) ([]AttemptKey, error)
	// ReleaseQueued gives back, uncharged, the claims a worker never started.
	ReleaseQueued(ctx context.Context, workerID string) error
	StopWorker(ctx context.Context, workerID string) error
	// Orphans lists active attempts whose worker stopped, never registered,
	// or has not heartbeated for longer than after.
	Orphans(ctx context.Context, after time.Duration) ([]Orphan, error)
	ListWorkers(ctx context.Context) ([]model.WorkerInfo, error)
	// ListListeners returns the connections listening on channel.
	ListListeners(ctx context.Context, channel string) ([]model.SchedulerConn, error)

	// ---- pools ----

	ListPools(ctx context.Context) ([]model.Pool, error)
	SetPool(ctx context.Context, p model.Pool) error

	// ---- logs ----

	// InsertLogs stores log lines; lines already stored are kept.
	InsertLogs(ctx context.Context, key AttemptKey, lines []model.LogLine) error
	// AttemptLog returns up to limit lines after line afterLine.
	AttemptLog(ctx context.Context, key AttemptKey, afterLine, limit int) ([]model.LogLine, error)

	// ---- backfills ----

	// InsertBackfill creates a running backfill; ErrConflict when the DAG
	// already has an active one.
	InsertBackfill(ctx context.Context, b model.Backfill) (model.Backfill, error)
	// ActiveBackfill returns the id of the DAG's running or paused
	// backfill; ErrNotFound when there is none.
	ActiveBackfill(ctx context.Context, dagID string) (int64, error)
	AttachRunToBackfill(ctx context.Context, runID string, backfillID int64, sort int) error
	// GetBackfill returns a backfill without run counts; ErrNotFound.
	GetBackfill(ctx context.Context, id int64) (model.Backfill, error)
	// ListBackfills returns the newest 500 backfills of a DAG, or of all ("").
	ListBackfills(ctx context.Context, dagID string) ([]model.Backfill, error)
	BackfillRunCounts(ctx context.Context, id int64) (map[string]int, error)
	// SetBackfillState moves a backfill in one of states from to state to;
	// it returns false when the backfill was in none of them.
	SetBackfillState(ctx context.Context, id int64, from []string, to string) (bool, error)
	QueuedBackfillRuns(ctx context.Context, id int64) ([]string, error)
	// CompleteBackfills completes running backfills with no run left to do.
	CompleteBackfills(ctx context.Context) (int64, error)

	// ---- retention ----

	// CountCleanable counts what CleanRunsBatch and CleanWorkers would delete.
	CountCleanable(ctx context.Context, c Cutoffs, keep int) (model.CleanResult, error)
	// CleanRunsBatch deletes up to limit finished runs that ended before
	// c.Runs, or before c.AssetRuns for successful asset-triggered runs
	// (keeping each DAG's newest scheduled run, its newest keep runs and
	// active backfills' runs), with their tasks, attempts and log lines.
	CleanRunsBatch(ctx context.Context, c Cutoffs, keep, limit int) (model.CleanResult, error)
	// CleanWorkers deletes the rows of workers gone since before cutoff.
	CleanWorkers(ctx context.Context, cutoff time.Time) (int64, error)
}

// Cutoffs are a clean's: runs that ended before Runs go, and successful
// asset-triggered runs that ended before AssetRuns (never before Runs).
type Cutoffs struct {
	Runs, AssetRuns time.Time
}

// Lease is a held cross-process lock.
type Lease interface {
	// Check fails when the lock is no longer held.
	Check(ctx context.Context) error
	// Unlock releases it.
	Unlock(ctx context.Context) error
}

// Lock names a transaction-scoped lock.
type Lock int

// Locks the engine takes. Claims are serialised by the driver itself.
const (
	// LockPromote serialises run promotion so that two schedulers cannot
	// exceed max_active_runs.
	LockPromote Lock = iota + 1
	// LockSync serialises DAG syncs.
	LockSync
	// LockWatch serialises the Kafka watcher's polls, so that a watcher
	// that lost its lease without noticing yet and its successor never
	// record the same end offsets twice.
	LockWatch
)

// Notification channels: workers listen on the first, schedulers on the second.
const (
	ChanTasks     = "finpipe_tasks"
	ChanScheduler = "finpipe_scheduler"
)

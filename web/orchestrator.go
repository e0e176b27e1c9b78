package web

import (
	"context"

	"github.com/finpipe/finpipe/scheduler"
)

// Orchestrator is what the web layer needs from the scheduler's store. It is
// declared here, beside its consumer, so this package states exactly which
// operations the UI and the API rely on; *scheduler.Store implements it.
// Every method reports unknown ids with scheduler.ErrNotFound, clashes with
// scheduler.ErrConflict and bad arguments with scheduler.ErrInvalid.
type Orchestrator interface {
	ListDAGs(ctx context.Context) ([]scheduler.DAGInfo, error)
	GetDAG(ctx context.Context, dagID string) (scheduler.DAGInfo, error)
	PauseDAG(ctx context.Context, dagID string, paused bool) error

	TriggerRun(ctx context.Context, dagID string, o scheduler.TriggerOptions) (scheduler.DagRun, error)
	ListRuns(ctx context.Context, f scheduler.RunFilter) (scheduler.RunPage, error)
	GetRun(ctx context.Context, runID string) (scheduler.DagRun, error)
	ClearRun(ctx context.Context, runID string, onlyFailed bool) error
	MarkRun(ctx context.Context, runID string, state scheduler.RunState) error

	ListTaskInstances(ctx context.Context, runID string) ([]scheduler.TaskInstance, error)
	GetTaskInstance(ctx context.Context, runID, taskID string) (scheduler.TaskInstance, error)
	AttemptLog(ctx context.Context, runID, taskID string, try, afterLine, limit int) ([]scheduler.LogLine, error)
	ClearTask(ctx context.Context, runID, taskID string, downstream bool) error
	MarkTask(ctx context.Context, runID, taskID string, state scheduler.TaskState) error

	// CreateBackfill with DryRun set only plans: it returns the dates.
	CreateBackfill(ctx context.Context, req scheduler.BackfillRequest) (scheduler.BackfillResult, error)
	GetBackfill(ctx context.Context, id int64) (scheduler.Backfill, error)
	ListBackfills(ctx context.Context, dagID string) ([]scheduler.Backfill, error)
	PauseBackfill(ctx context.Context, id int64) error
	UnpauseBackfill(ctx context.Context, id int64) error
	CancelBackfill(ctx context.Context, id int64) error

	// Assets (issue 10): each with its consumers, producers, last event
	// and Kafka lag; their events newest first; the events a run covered.
	ListAssets(ctx context.Context) ([]scheduler.AssetInfo, error)
	GetAsset(ctx context.Context, name string) (scheduler.AssetInfo, error)
	ListAssetEvents(ctx context.Context, f scheduler.AssetEventFilter) ([]scheduler.AssetEvent, error)
	RunAssetEvents(ctx context.Context, runID string) ([]scheduler.AssetEvent, error)
}

// The store must keep satisfying the interface; this fails the build, not a
// test, when a signature drifts.
var _ Orchestrator = (*scheduler.Store)(nil)

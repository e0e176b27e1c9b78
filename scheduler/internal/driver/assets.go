package driver

import (
	"context"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/model"
)

// AssetExecutor holds the statements of data-aware scheduling: asset
// definitions and their links to DAGs and tasks, events, the per-DAG
// queue of pending events, consumed and end offsets of topics, and the
// operator API's reads.
type AssetExecutor interface {
	// ---- definitions (sync) ----

	// UpsertAssets writes asset definitions.
	UpsertAssets(ctx context.Context, assets []model.Asset) error
	// ReplaceDAGAssets sets what a DAG is scheduled on and its condition
	// (any: one asset's event suffices; else all), and drops its pending
	// events of assets it is no longer scheduled on.
	ReplaceDAGAssets(ctx context.Context, dagID string, assets []string, anyOf bool) error
	// ReplaceTaskOutlets sets the DAG's task outlets: taskIDs[i] emits assets[i].
	ReplaceTaskOutlets(ctx context.Context, dagID string, taskIDs, assets []string) error
	// DAGAssets maps each DAG scheduled on assets to their names (sorted).
	DAGAssets(ctx context.Context) (map[string][]string, error)

	// ---- events and queueing ----

	// InsertAssetEvents records events (ID and Timestamp are assigned) and
	// makes each pending for every active DAG scheduled on its asset. It
	// returns the ids of those DAGs.
	InsertAssetEvents(ctx context.Context, events []model.AssetEvent) ([]string, error)
	// LockAssetQueues serialises queueing decisions of the DAGs until the
	// transaction ends, so that two transactions each adding an event
	// cannot both miss the other's (the second decides after the first
	// commits, seeing its events).
	LockAssetQueues(ctx context.Context, dagIDs []string) error
	// AssetReadyDAGs returns which of dagIDs (nil: any DAG) are active,
	// unpaused and have pending events satisfying their condition.
	AssetReadyDAGs(ctx context.Context, dagIDs []string) ([]string, error)
	// QueuedAssetRun returns the DAG's queued asset-triggered run id ("":
	// none), locked until the transaction ends so that it is not started
	// before the events linked to it are committed.
	QueuedAssetRun(ctx context.Context, dagID string) (string, error)
	// LinkPendingEvents moves the DAG's pending events to run runID.
	LinkPendingEvents(ctx context.Context, dagID, runID string) (int64, error)
	// UpsertConsumedOffsets raises the DAG's consumed offsets (never lowers them).
	UpsertConsumedOffsets(ctx context.Context, dagID string, offsets []ConsumedOffset) error

	// ---- the Kafka watcher ----

	// EndOffsets returns a topic asset's last-seen end offsets.
	EndOffsets(ctx context.Context, asset string) (map[int32]int64, error)
	// SetEndOffsets stores a topic asset's end offsets as seen now.
	SetEndOffsets(ctx context.Context, asset string, offsets map[int32]int64) error
	// LaggingAssetDAGs returns the active, unpaused DAGs scheduled on a
	// topic asset whose consumed offsets (they report some) are behind its
	// last-seen end offsets (see LagQuery).
	LaggingAssetDAGs(ctx context.Context, q LagQuery) ([]string, error)

	// ---- operator reads ----

	// ListAssets returns every asset with consumers, producers, end
	// offsets, lag and the id of its last event (LastEvent.ID only).
	ListAssets(ctx context.Context, name string) ([]model.AssetInfo, error)
	// ListAssetEvents returns events newest first, TriggeredRuns filled.
	ListAssetEvents(ctx context.Context, f model.AssetEventFilter) ([]model.AssetEvent, error)
	// GetAssetEvents returns the events with the given ids, newest first.
	GetAssetEvents(ctx context.Context, ids []int64) ([]model.AssetEvent, error)
	// RunAssetEvents returns the events a run covered, oldest first.
	RunAssetEvents(ctx context.Context, runID string) ([]model.AssetEvent, error)
	// CleanAssetEvents deletes up to limit events that no run references
	// and no DAG has pending, keeping each asset's newest: those older
	// than c.Runs, and those older than c.AssetRuns whose source run is
	// gone (or that have none).
	CleanAssetEvents(ctx context.Context, c Cutoffs, limit int) (int64, error)
}

// ConsumedOffset is how far a DAG's runs consumed one partition of a topic asset.
type ConsumedOffset struct {
	Asset      string
	Partition  int32
	NextOffset int64
}

// LagQuery selects lagging DAGs: those with no queued asset-triggered run
// (nor a running one, unless WhileRunning), whose last finished
// asset-triggered run did not fail less than Backoff ago (or at all, with
// AfterSuccess); all DAGs, or only DAGID.
type LagQuery struct {
	Backoff      time.Duration
	DAGID        string
	WhileRunning bool
	// AfterSuccess leaves out a DAG whose last finished asset-triggered
	// run failed, however long ago: the finish path, which does not know
	// the watcher's backoff, leaves those to the watcher.
	AfterSuccess bool
}

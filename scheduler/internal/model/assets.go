package model

import "time"

// Assets follow Airflow 3's vocabulary: an asset is a piece of data that
// tasks produce and DAGs are scheduled on; an asset event records that it
// changed. FinPipe knows two kinds, so that the pipeline can run on data
// rather than on a clock.

// AssetKind says what an asset is and so what makes an event of it.
type AssetKind string

const (
	// AssetKafkaTopic is a Kafka topic. Its events come from the
	// deployment's one Kafka watcher when the topic's end offsets move.
	AssetKafkaTopic AssetKind = "kafka_topic"
	// AssetDeltaTable is a Delta table. Its events are emitted by the task
	// that committed a new version, in the transaction that records the
	// task's success.
	AssetDeltaTable AssetKind = "delta_table"
)

// RunTypeAssetTriggered is the run type of runs queued by asset events
// (Airflow's "asset_triggered").
const RunTypeAssetTriggered = "asset_triggered"

// Asset is one registered asset.
type Asset struct {
	Name        string    `json:"name"`
	Kind        AssetKind `json:"kind"`
	URI         string    `json:"uri"`
	Description string    `json:"description"`
}

// AssetEvent is one recorded change of an asset, with where it came from:
// either the task attempt that committed it (SourceDAGID … SourceTry) or
// the Kafka watcher (Offsets: partition → next offset, the topic's end
// offsets it saw).
type AssetEvent struct {
	ID        int64     `json:"id"`
	Asset     string    `json:"asset"`
	Timestamp time.Time `json:"timestamp"`

	SourceDAGID  string `json:"source_dag_id,omitempty"`
	SourceRunID  string `json:"source_run_id,omitempty"`
	SourceTaskID string `json:"source_task_id,omitempty"`
	SourceTry    int    `json:"source_try,omitempty"`

	Offsets map[int32]int64 `json:"offsets,omitempty"`
	// Extra is what the emitting task attached (for a Delta table: the
	// committed "version"); never nil.
	Extra map[string]any `json:"extra"`
	// TriggeredRuns are the ids of the runs whose queueing covered this
	// event (coalescing: one run may cover many events).
	TriggeredRuns []string `json:"triggered_runs"`
}

// AssetInfo is an asset with who uses it and where it stands.
type AssetInfo struct {
	Asset
	// Consumers are the DAGs scheduled on the asset; Producers the
	// "dag_id.task_id" of the tasks that declare it as an outlet.
	Consumers []string `json:"consumers"`
	Producers []string `json:"producers"`
	// LastEvent is the newest event, nil when there is none.
	LastEvent *AssetEvent `json:"last_event"`
	// For a Kafka topic: its end offsets as last seen by the watcher, and
	// per consuming DAG how many records lie past what its runs consumed.
	// Nil for tables.
	EndOffsets map[int32]int64  `json:"end_offsets,omitempty"`
	Lag        map[string]int64 `json:"lag,omitempty"`
}

// AssetEventFilter selects a page of asset events, newest first.
type AssetEventFilter struct {
	Asset    string // "" means every asset
	BeforeID int64  // 0 means from the newest
	Limit    int    // default 50, at most 1000
}

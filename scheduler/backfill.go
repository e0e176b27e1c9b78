package scheduler

import "time"

// Reprocess modes of a backfill: what happens to logical dates that already
// have a run (Airflow 3). Runs still queued or running are never touched.
const (
	ReprocessNone      = "none"      // keep every existing run
	ReprocessFailed    = "failed"    // re-run existing failed runs
	ReprocessCompleted = "completed" // re-run existing failed and successful runs
)

// Backfill states.
const (
	BackfillRunning   = "running"
	BackfillPaused    = "paused"
	BackfillCancelled = "cancelled"
	BackfillCompleted = "completed"
)

// BackfillRequest asks for runs at every schedule tick in [From, To].
type BackfillRequest struct {
	DAGID    string
	From, To time.Time
	// Reprocess is none (default), failed or completed.
	Reprocess string
	// MaxActiveRuns limits the backfill's runs running at once (default 10);
	// they do not count against the DAG's own max_active_runs.
	MaxActiveRuns int
	// RunBackwards starts the newest logical date first.
	RunBackwards bool
	Conf         map[string]any
	// DryRun lists the dates and what would happen, creating nothing.
	DryRun bool
}

// Actions a backfill takes for a logical date.
const (
	BackfillCreate    = "create"    // no run yet: create one
	BackfillReprocess = "reprocess" // existing run is cleared and re-run
	BackfillSkip      = "skip"      // existing run is kept
)

// BackfillDate is one logical date of a backfill and what it does there.
type BackfillDate struct {
	LogicalDate   time.Time `json:"logical_date"`
	Action        string    `json:"action"`
	ExistingRunID string    `json:"existing_run_id,omitempty"`
	ExistingState RunState  `json:"existing_state,omitempty"`
}

// BackfillResult answers CreateBackfill: the dates in the order they will
// run, and the backfill (nil for a dry run).
type BackfillResult struct {
	Backfill *Backfill      `json:"backfill"`
	Dates    []BackfillDate `json:"dates"`
	DryRun   bool           `json:"dry_run"`
}

// action decides what a backfill in mode reprocess does with an existing run.
func backfillAction(reprocess string, existing RunState) string {
	switch {
	case existing == "":
		return BackfillCreate
	case existing == RunFailed && reprocess != ReprocessNone:
		return BackfillReprocess
	case existing == RunSuccess && reprocess == ReprocessCompleted:
		return BackfillReprocess
	}
	return BackfillSkip
}

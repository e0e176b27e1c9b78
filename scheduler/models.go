package scheduler

import "time"

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

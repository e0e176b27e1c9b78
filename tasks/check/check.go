// Package check verifies the lake invariants of DESIGN.md, which must hold
// after any crash and restart: Kafka offsets in Bronze are unique and
// gap-free per partition; every Bronze record clean consumed is in exactly
// one of Silver and rejected; Gold sums equal Silver sums per (event_date,
// currency), exactly. It reads the lake only.
package check

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/clean"
	"github.com/finpipe/finpipe/tasks/lake"
)

// Report is the outcome of a check.
type Report struct {
	// Rows read per table name.
	Rows map[string]int64 `json:"rows"`
	// Violations name each broken invariant; empty means the lake is sound.
	Violations []string `json:"violations"`
	// Notes are facts worth knowing that break nothing, such as a stage
	// that has not yet caught up with its input.
	Notes []string `json:"notes"`
}

// OK reports whether no invariant is violated.
func (r *Report) OK() bool { return len(r.Violations) == 0 }

func (r *Report) violation(format string, args ...any) {
	r.Violations = append(r.Violations, fmt.Sprintf(format, args...))
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Run checks every invariant. An error means the lake could not be read
// (a damaged log, a missing file): that is not a verdict on the data.
func Run(ctx context.Context, l *lake.Lake) (*Report, error) {
	r := &Report{Rows: map[string]int64{}, Violations: []string{}, Notes: []string{}}
	if err := checkRecords(ctx, l, r); err != nil {
		return r, err
	}
	if err := checkGold(ctx, l, r); err != nil {
		return r, err
	}
	return r, nil
}

// txn returns the version a table recorded for appID, -1 when none.
func txn(s *delta.Snapshot, appID string) int64 { return lake.TxnVersion(s, appID) }

// snapshotAt is the table at version v, or nil for v = -1 (nothing yet).
func snapshotAt(ctx context.Context, t *delta.Table, v int64) (*delta.Snapshot, error) {
	if v < 0 {
		return nil, nil
	}
	return t.SnapshotAt(ctx, v)
}

// cleanTxn is the Bronze version clean consumed, as one table records it.
func cleanTxn(s *delta.Snapshot) int64 { return txn(s, clean.AppID) }

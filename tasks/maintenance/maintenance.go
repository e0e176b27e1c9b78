// Package maintenance holds the lake's housekeeping task bodies: compacting
// the small files that micro-batches leave in each partition, and deleting
// the files no version within the retention still references. The
// lake_maintenance DAG runs them; they are plain functions over a lake so
// they are tested without the engine.
package maintenance

import (
	"context"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
)

// Compacted is what Optimize did to one table.
type Compacted struct {
	Table string
	delta.OptimizeResult
}

// Optimize compacts, in every table of the lake, the partitions whose
// partition column holds one of dates ("YYYY-MM-DD"): each table is
// partitioned by one date column (ingest_date or event_date), so this is
// "those days' partitions" whatever the table. A minute-by-minute pipeline
// writes a few files per partition per batch; a day later the partition is
// mostly complete and one pass makes reads of it cheap. Each table is one
// OPTIMIZE commit (dataChange=false: the rows do not change, and the
// pipeline's readers of the change feed skip it).
func Optimize(ctx context.Context, l *lake.Lake, dates []time.Time) ([]Compacted, error) {
	want := map[string]bool{}
	for _, d := range dates {
		want[lake.DateString(d)] = true
	}
	var out []Compacted
	for _, t := range l.Tables() {
		col := t.Spec.PartitionColumns[0]
		res, err := t.Delta.Optimize(ctx, func(pv map[string]string) bool { return want[pv[col]] })
		if err != nil {
			return out, fmt.Errorf("optimize %s: %w", t.Spec.Name, err)
		}
		out = append(out, Compacted{Table: t.Spec.Name, OptimizeResult: res})
	}
	return out, nil
}

// Vacuumed lists the files Vacuum deleted from one table.
type Vacuumed struct {
	Table string
	Files []string
}

// Vacuum deletes, in every table, data files unreferenced for longer than
// retain (delta.DefaultVacuumRetention, 7 days, unless the caller knows
// better): what Optimize and Gold's overwrites replaced, and orphans of
// failed writes. Readers of versions within the retention are unaffected.
func Vacuum(ctx context.Context, l *lake.Lake, retain time.Duration) ([]Vacuumed, error) {
	var out []Vacuumed
	for _, t := range l.Tables() {
		files, err := t.Delta.Vacuum(ctx, retain, false)
		if err != nil {
			return out, fmt.Errorf("vacuum %s: %w", t.Spec.Name, err)
		}
		out = append(out, Vacuumed{Table: t.Spec.Name, Files: files})
	}
	return out, nil
}

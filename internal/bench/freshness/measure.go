package freshness

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/bench"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/lake"
)

// runSteps is when one medallion run's steps ran (the slowest ingest task
// when there are several); the run ends with its aggregate.
type runSteps struct {
	ingestStart, ingestEnd, cleanStart, cleanEnd, aggregateEnd time.Time
}

// measure reads, for every Bronze record, its Kafka timestamp (the append)
// and its ingested_at (which run read it), and the runs' task instances:
// a record is in Silver once the clean task of its run committed, and in
// Gold once that run's aggregate refreshed its date.
func measure(ctx context.Context, e *bench.Engine, l *lake.Lake) (Report, error) {
	runs, err := runsByIngest(ctx, e.Store)
	if err != nil {
		return Report{}, err
	}
	snap, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		return Report{}, err
	}
	var silver, gold, previous, scheduling, steps []time.Duration
	err = snap.ScanColumns(ctx, []string{"kafka_timestamp", "ingested_at"}, nil, func(r delta.Row) error {
		appended, ingested := r[0].(time.Time), r[1].(time.Time)
		i := sort.Search(len(runs), func(i int) bool { return !runs[i].ingestEnd.Before(ingested) })
		if i == len(runs) {
			return nil // not read by a finished run: cannot happen once drained
		}
		run := runs[i]
		silver = append(silver, run.cleanEnd.Sub(appended))
		gold = append(gold, run.aggregateEnd.Sub(appended))
		// Appended while the run before was busy, the record waited for
		// it to end; from then (or from its append) to its run's ingest,
		// and from ingest's end to clean's start, the engine was
		// scheduling: noticing, triggering, starting, claiming.
		ready := appended
		if i > 0 && runs[i-1].aggregateEnd.After(ready) {
			ready = runs[i-1].aggregateEnd
		}
		previous = append(previous, ready.Sub(appended))
		scheduling = append(scheduling, max(run.ingestStart.Sub(ready), 0)+run.cleanStart.Sub(run.ingestEnd))
		steps = append(steps, run.ingestEnd.Sub(run.ingestStart)+run.cleanEnd.Sub(run.cleanStart))
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	return Report{Runs: len(runs), Measured: len(silver), Silver: summarise(silver), Gold: summarise(gold),
		PreviousRun: summarise(previous), Scheduling: summarise(scheduling), Steps: summarise(steps)}, nil
}

// runsByIngest lists the medallion runs that ended, ordered by when
// their ingest ended.
func runsByIngest(ctx context.Context, store *scheduler.Store) ([]runSteps, error) {
	var out []runSteps
	f := scheduler.RunFilter{DAGID: dags.MedallionDAG, Limit: 500}
	for {
		page, err := store.ListRuns(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, run := range page.Runs {
			tis, err := store.ListTaskInstances(ctx, run.RunID)
			if err != nil {
				return nil, err
			}
			if s, ok := stepsOf(tis); ok {
				out = append(out, s)
			}
		}
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ingestEnd.Before(out[j].ingestEnd) })
	return out, nil
}

// stepsOf reads a run's step times; ok is false for a run that did not
// finish every step.
func stepsOf(tis []scheduler.TaskInstance) (runSteps, bool) {
	var s runSteps
	n := 0
	for _, ti := range tis {
		if ti.StartDate == nil || ti.EndDate == nil {
			return s, false
		}
		switch start, end := *ti.StartDate, *ti.EndDate; {
		case strings.HasPrefix(ti.TaskID, "ingest"):
			if s.ingestStart.IsZero() || start.Before(s.ingestStart) {
				s.ingestStart = start
			}
			if end.After(s.ingestEnd) {
				s.ingestEnd = end
			}
		case ti.TaskID == "clean":
			s.cleanStart, s.cleanEnd = start, end
		case ti.TaskID == "aggregate":
			s.aggregateEnd = end
		}
		n++
	}
	return s, n >= 3
}

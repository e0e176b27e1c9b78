package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// createDueRuns creates the scheduled runs a DAG is due at now: with
// catchup every missed interval since its start date (or its latest
// scheduled run), without catchup only the most recent one; never more than
// max_active_runs allows, so catchup proceeds as runs finish. It is
// idempotent: two schedulers computing the same dates insert each run once.
func (s *Store) createDueRuns(ctx context.Context, d *DAG, now time.Time) (int, error) {
	sched, err := parseSchedule(d.Opts.Schedule)
	if err != nil || sched.isNone() {
		return 0, err
	}
	created := 0
	err = s.tx(ctx, func(tx driver.Executor) error {
		st, err := tx.DAGRunStats(ctx, d.ID)
		if errors.Is(err, ErrNotFound) {
			return nil // not synced yet
		}
		if err != nil || st.Paused {
			return err
		}
		room := d.Opts.MaxActiveRuns - st.Active
		if room <= 0 {
			return nil
		}
		last := st.LastScheduled
		var dates []time.Time
		if d.Opts.Catchup {
			from := d.Opts.StartDate
			if last != nil {
				from = sched.Next(*last)
			}
			dates = sched.intervals(from, now, room)
		} else if l, ok := sched.latest(d.Opts.StartDate, now); ok && (last == nil || l.After(*last)) {
			dates = []time.Time{l}
		}
		for _, l := range dates {
			_, ok, err := insertRun(ctx, tx, newRun{dagID: d.ID, runType: RunTypeScheduled, logical: l, sched: sched})
			if err != nil {
				return err
			}
			if ok {
				created++
			}
		}
		return nil
	})
	return created, err
}

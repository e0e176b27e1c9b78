package scheduler

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// newRun describes a run to insert.
type newRun struct {
	runID, dagID, runType string
	logical               time.Time
	sched                 schedule
	conf                  map[string]any
	backfillID            *int64
	backfillSort          int
}

// runIDFor builds the default run id: unique across DAGs, URL-safe, and
// readable ("example_etl__scheduled__2026-11-27T04:00:00Z").
func runIDFor(dagID, runType string, logical time.Time) string {
	return dagID + "__" + runType + "__" + logical.UTC().Format(time.RFC3339Nano)
}

// insertRun creates a run and its task instances in tx. It returns
// created=false (and no error) when the DAG already has a run at that
// logical date or the run id is taken: run creation is idempotent.
func insertRun(ctx context.Context, tx driver.Executor, n newRun) (DagRun, bool, error) {
	if n.runID == "" {
		n.runID = runIDFor(n.dagID, n.runType, n.logical)
	}
	start, end := n.dataInterval()
	return tx.InsertRun(ctx, driver.NewRun{RunID: n.runID, DAGID: n.dagID, RunType: n.runType, LogicalDate: n.logical,
		IntervalStart: start, IntervalEnd: end, Conf: n.conf, BackfillID: n.backfillID, BackfillSort: n.backfillSort})
}

// TriggerRun creates a manual run (queued; the scheduler starts it when
// max_active_runs allows). The DAG must be synced; conf must be JSON-able.
// A taken run id or logical date is ErrConflict.
func (s *Store) TriggerRun(ctx context.Context, dagID string, o TriggerOptions) (DagRun, error) {
	dag, err := s.GetDAG(ctx, dagID)
	if err != nil {
		return DagRun{}, err
	}
	if o.RunID != "" && !idPattern.MatchString(strings.ReplaceAll(o.RunID, ":", "_")) {
		return DagRun{}, fmt.Errorf("%w: run id %q: use letters, digits, '_', '.', '-', ':'", ErrInvalid, o.RunID)
	}
	if o.LogicalDate.IsZero() {
		o.LogicalDate = s.clock.Now()
	}
	o.LogicalDate = o.LogicalDate.Truncate(time.Microsecond) // PostgreSQL keeps microseconds; the run id must name the stored date
	if err := CheckLogicalDate(o.LogicalDate); err != nil {
		return DagRun{}, err
	}
	sched, _ := parseSchedule(dag.Schedule)
	n := newRun{runID: o.RunID, dagID: dagID, runType: RunTypeManual, logical: o.LogicalDate.UTC(), sched: sched, conf: o.Conf}
	var run DagRun
	err = s.tx(ctx, func(tx driver.Executor) error {
		r, created, err := insertRun(ctx, tx, n)
		if err != nil {
			return err
		}
		if !created {
			return fmt.Errorf("%w: DAG %q already has a run with id %q or logical date %s", ErrConflict,
				dagID, o.RunID, n.logical.Format(time.RFC3339Nano))
		}
		run = r
		return tx.Notify(ctx, driver.ChanScheduler)
	})
	return run, err
}

// GetRun returns one run.
func (s *Store) GetRun(ctx context.Context, runID string) (DagRun, error) {
	return s.drv.GetRun(ctx, runID)
}

// ListRuns returns one page of runs, newest logical date first.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) (RunPage, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 {
		f.Limit = 500
	}
	if f.State != "" && !f.State.Valid() {
		return RunPage{}, fmt.Errorf("%w: unknown run state %q", ErrInvalid, f.State)
	}
	p := driver.ListRunsParams{DAGID: f.DAGID, State: f.State, From: timeOrNil(f.From), To: timeOrNil(f.To), Limit: f.Limit + 1}
	if f.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		date, id, ok := strings.Cut(string(raw), "|")
		t, terr := time.Parse(time.RFC3339Nano, date)
		if err != nil || !ok || terr != nil {
			return RunPage{}, fmt.Errorf("%w: bad cursor", ErrInvalid)
		}
		p.AfterDate, p.AfterID = &t, id
	}
	runs, err := s.drv.ListRuns(ctx, p)
	if err != nil {
		return RunPage{}, err
	}
	page := RunPage{Runs: runs}
	if len(page.Runs) > f.Limit {
		page.Runs = page.Runs[:f.Limit]
		last := page.Runs[f.Limit-1]
		page.NextCursor = base64.RawURLEncoding.EncodeToString(
			[]byte(last.LogicalDate.Format(time.RFC3339Nano) + "|" + last.RunID))
	}
	return page, nil
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// promoteRuns starts queued runs that max_active_runs allows and schedules
// their root tasks. Returns how many task instances became scheduled.
func (s *Store) promoteRuns(ctx context.Context) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx driver.Executor) error {
		if err := tx.XactLock(ctx, driver.LockPromote); err != nil {
			return err
		}
		var err error
		if n, err = tx.PromoteRuns(ctx); err != nil || n == 0 {
			return err
		}
		return tx.Notify(ctx, driver.ChanTasks)
	})
	return n, err
}

// finishRuns gives each listed running run whose tasks have all finished
// its final state, and wakes schedulers so queued runs can start.
func (s *Store) finishRuns(ctx context.Context, runIDs []string) (map[string]RunState, error) {
	done, err := s.drv.FinishRuns(ctx, runIDs)
	if err != nil {
		return nil, err
	}
	return s.observeFinished(ctx, done), nil
}

// observeFinished records each finished run's duration in the Prometheus
// histogram and wakes schedulers when any run finished.
func (s *Store) observeFinished(ctx context.Context, done []driver.FinishedRun) map[string]RunState {
	out := s.recordFinished(done)
	s.announceFinished(ctx, done)
	return out
}

// recordFinished records each finished run's duration in the Prometheus
// histogram, before anything else can see the run as finished in the
// database and look for its metric.
func (s *Store) recordFinished(done []driver.FinishedRun) map[string]RunState {
	out := make(map[string]RunState, len(done))
	for _, f := range done {
		out[f.RunID] = f.State
		s.metrics.ObserveRun(f.DAGID, string(f.State), f.Duration)
	}
	return out
}

// announceFinished wakes schedulers when any run finished, so that queued
// runs can start.
func (s *Store) announceFinished(ctx context.Context, done []driver.FinishedRun) {
	if len(done) > 0 {
		_ = s.drv.Notify(ctx, driver.ChanScheduler)
	}
}

// CountTaskStates counts task instances by state (metrics.StateCounter).
func (s *Store) CountTaskStates(ctx context.Context) (map[string]int, error) {
	return s.drv.CountTaskStates(ctx)
}

// runningRunIDs lists runs in state running (for the scheduler's sweep).
func (s *Store) runningRunIDs(ctx context.Context) ([]string, error) {
	return s.drv.RunningRunIDs(ctx)
}

package scheduler

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/internal/metrics"
)

func scanRun(row pgx.Row) (DagRun, error) {
	var r DagRun
	var conf []byte
	err := row.Scan(&r.RunID, &r.DAGID, &r.LogicalDate, &r.DataIntervalStart, &r.DataIntervalEnd,
		&r.RunType, &r.State, &conf, &r.BackfillID, &r.QueuedAt, &r.StartDate, &r.EndDate)
	if err != nil {
		return r, err
	}
	r.Conf = map[string]any{}
	_ = json.Unmarshal(conf, &r.Conf)
	r.LogicalDate = r.LogicalDate.UTC()
	r.DataIntervalStart = r.DataIntervalStart.UTC()
	r.DataIntervalEnd = r.DataIntervalEnd.UTC()
	return r, nil
}

// newRun describes a run to insert.
type newRun struct {
	runID, dagID, runType string
	logical               time.Time
	sched                 Schedule
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
func insertRun(ctx context.Context, tx pgx.Tx, n newRun) (DagRun, bool, error) {
	if n.runID == "" {
		n.runID = runIDFor(n.dagID, n.runType, n.logical)
	}
	if n.conf == nil {
		n.conf = map[string]any{}
	}
	conf, err := json.Marshal(n.conf)
	if err != nil {
		return DagRun{}, false, fmt.Errorf("%w: conf: %v", ErrInvalid, err)
	}
	start, end := n.dataInterval()
	r, err := scanRun(tx.QueryRow(ctx, sqlInsertRun, n.runID, n.dagID, n.logical, start, end, n.runType,
		conf, n.backfillID, n.backfillSort))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if _, err := tx.Exec(ctx, sqlInsertTaskInstances, r.RunID, r.DAGID); err != nil {
		return r, false, err
	}
	return r, true, nil
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
	sched, _ := ParseSchedule(dag.Schedule)
	n := newRun{runID: o.RunID, dagID: dagID, runType: RunTypeManual, logical: o.LogicalDate.UTC(), sched: sched, conf: o.Conf}
	var run DagRun
	err = s.tx(ctx, func(tx pgx.Tx) error {
		r, created, err := insertRun(ctx, tx, n)
		if err != nil {
			return err
		}
		if !created {
			return fmt.Errorf("%w: DAG %q already has a run with id %q or logical date %s", ErrConflict,
				dagID, o.RunID, n.logical.Format(time.RFC3339Nano))
		}
		run = r
		return notify(ctx, tx, chanScheduler)
	})
	return run, err
}

// GetRun returns one run.
func (s *Store) GetRun(ctx context.Context, runID string) (DagRun, error) {
	return one(s.db.QueryRow(ctx, sqlGetRun, runID), scanRun, "run %q", runID)
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
	var curDate *time.Time
	var curID string
	if f.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		date, id, ok := strings.Cut(string(raw), "|")
		t, terr := time.Parse(time.RFC3339Nano, date)
		if err != nil || !ok || terr != nil {
			return RunPage{}, fmt.Errorf("%w: bad cursor", ErrInvalid)
		}
		curDate, curID = &t, id
	}
	rows, err := s.db.Query(ctx, sqlListRuns, f.DAGID, string(f.State), timeOrNil(f.From), timeOrNil(f.To),
		curDate, curID, f.Limit+1)
	runs, err := collect(rows, err, scanRun)
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
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlAdvisoryXactLock, lockPromote); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, sqlPromoteRuns)
		if err != nil {
			return err
		}
		if n = tag.RowsAffected(); n > 0 {
			return notify(ctx, tx, chanTasks)
		}
		return nil
	})
	return n, err
}

// finishRuns gives each listed running run whose tasks have all finished
// its final state, and wakes schedulers so queued runs can start.
func (s *Store) finishRuns(ctx context.Context, runIDs []string) (map[string]RunState, error) {
	rows, err := s.db.Query(ctx, sqlFinishRuns, runIDs)
	if err != nil {
		return nil, err
	}
	done, err := scanFinishedRuns(rows)
	if err == nil && len(done) > 0 {
		_ = notify(ctx, s.db, chanScheduler)
	}
	return done, err
}

// scanFinishedRuns reads sqlFinishRuns' answer and records each run's
// duration in the Prometheus histogram.
func scanFinishedRuns(rows pgx.Rows) (map[string]RunState, error) {
	defer rows.Close()
	done := map[string]RunState{}
	for rows.Next() {
		var id, dag string
		var st RunState
		var secs float64
		if err := rows.Scan(&id, &st, &dag, &secs); err != nil {
			return nil, err
		}
		done[id] = st
		metrics.ObserveRun(dag, string(st), time.Duration(secs*float64(time.Second)))
	}
	return done, rows.Err()
}

// CountTaskStates counts task instances by state (metrics.StateCounter).
func (s *Store) CountTaskStates(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.Query(ctx, sqlCountTaskStates)
	return countByState(rows, err)
}

// countByState reads (state, count) rows into a map.
func countByState(rows pgx.Rows, err error) (map[string]int, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// runningRunIDs lists runs in state running (for the scheduler's sweep).
func (s *Store) runningRunIDs(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, sqlRunningRunIDs)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

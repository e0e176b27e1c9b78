package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

func scanRun(row pgx.Row) (model.DagRun, error) {
	var r model.DagRun
	var conf []byte
	err := row.Scan(&r.RunID, &r.DAGID, &r.LogicalDate, &r.DataIntervalStart, &r.DataIntervalEnd,
		&r.RunType, &r.State, &conf, &r.BackfillID, &r.QueuedAt, &r.StartDate, &r.EndDate)
	if err != nil {
		return r, err
	}
	r.LogicalDate = r.LogicalDate.UTC()
	r.DataIntervalStart = r.DataIntervalStart.UTC()
	r.DataIntervalEnd = r.DataIntervalEnd.UTC()
	r.Conf, err = decodeObject(conf, fmt.Sprintf("conf of run %q", r.RunID))
	return r, err
}

func (e executor) InsertRun(ctx context.Context, n driver.NewRun) (model.DagRun, bool, error) {
	conf, err := encodeObject(n.Conf, "conf")
	if err != nil {
		return model.DagRun{}, false, err
	}
	r, err := scanRun(e.q.QueryRow(ctx, sqlInsertRun, n.RunID, n.DAGID, n.LogicalDate, n.IntervalStart,
		n.IntervalEnd, n.RunType, conf, n.BackfillID, n.BackfillSort))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fail(err)
	}
	if _, err := e.exec(ctx, sqlInsertTaskInstances, r.RunID, r.DAGID); err != nil {
		return r, false, err
	}
	return r, true, nil
}

func (e executor) GetRun(ctx context.Context, runID string) (model.DagRun, error) {
	r, err := scanRun(e.q.QueryRow(ctx, sqlGetRun, runID))
	return r, notFound(err, "run %q", runID)
}

func (e executor) LockRun(ctx context.Context, runID string) (model.DagRun, error) {
	r, err := scanRun(e.q.QueryRow(ctx, sqlLockRun, runID))
	return r, notFound(err, "run %q", runID)
}

func (e executor) LastRun(ctx context.Context, dagID string) (*model.DagRun, error) {
	r, err := scanRun(e.q.QueryRow(ctx, sqlLastRunOfDAG, dagID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fail(err)
	}
	return &r, nil
}

func (e executor) ListRuns(ctx context.Context, p driver.ListRunsParams) ([]model.DagRun, error) {
	rows, err := e.q.Query(ctx, sqlListRuns, p.DAGID, string(p.State), p.From, p.To, p.AfterDate, p.AfterID, p.Limit)
	return collect(rows, err, scanRun)
}

func (e executor) ExistingRuns(ctx context.Context, dagID string, dates []time.Time) ([]model.DagRun, error) {
	rows, err := e.q.Query(ctx, sqlExistingRuns, dagID, dates)
	return collect(rows, err, func(r pgx.Row) (model.DagRun, error) {
		var run model.DagRun
		err := r.Scan(&run.RunID, &run.LogicalDate, &run.State)
		run.LogicalDate = run.LogicalDate.UTC()
		return run, err
	})
}

func (e executor) RunningRunIDs(ctx context.Context) ([]string, error) {
	rows, err := e.q.Query(ctx, sqlRunningRunIDs)
	if err != nil {
		return nil, fail(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, fail(err)
}

func (e executor) SetRunState(ctx context.Context, runID string, st model.RunState) error {
	_, err := e.exec(ctx, sqlSetRunState, runID, string(st))
	return err
}

func (e executor) PromoteRuns(ctx context.Context) (int64, error) {
	return e.exec(ctx, sqlPromoteRuns)
}

func (e executor) FinishRuns(ctx context.Context, runIDs []string) ([]driver.FinishedRun, error) {
	rows, err := e.q.Query(ctx, sqlFinishRuns, runIDs)
	return collect(rows, err, scanFinishedRun)
}

// scanFinishedRun reads one row of sqlFinishRuns' answer.
func scanFinishedRun(r pgx.Row) (driver.FinishedRun, error) {
	var f driver.FinishedRun
	var secs float64
	err := r.Scan(&f.RunID, &f.State, &f.DAGID, &secs)
	f.Duration = time.Duration(secs * float64(time.Second))
	return f, err
}

func (e executor) CountTaskStates(ctx context.Context) (map[string]int, error) {
	rows, err := e.q.Query(ctx, sqlCountTaskStates)
	return countByState(rows, err)
}

// countByState reads (state, count) rows into a map.
func countByState(rows pgx.Rows, err error) (map[string]int, error) {
	if err != nil {
		return nil, fail(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fail(err)
		}
		out[st] = n
	}
	return out, fail(rows.Err())
}

package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// Claim runs the advisory lock, the claim and the start in one batch: one
// round trip, one implicit transaction, on the pool whose plans are generic.
func (d *Driver) Claim(ctx context.Context, p driver.ClaimParams) ([]driver.ClaimedTask, error) {
	b := &pgx.Batch{}
	b.Queue(sqlAdvisoryXactLock, lockClaim)
	b.Queue(sqlClaim, p.Max, p.WorkerID, p.Host, nonNil(p.Pools), nonNil(p.DAGIDs))
	b.Queue(sqlStartClaimed, p.WorkerID)
	br := d.claimDB.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fail(err)
	}
	rows, err := br.Query()
	out, err := collect(rows, err, scanClaimed)
	if err != nil {
		return nil, err
	}
	if _, err := br.Exec(); err != nil {
		return nil, fail(err)
	}
	// The batch commits at Close; until it has, nothing is claimed.
	if err := br.Close(); err != nil {
		return nil, fail(err)
	}
	return out, nil
}

func scanClaimed(r pgx.Row) (driver.ClaimedTask, error) {
	var c driver.ClaimedTask
	var timeout, delay, maxDelay int64
	var conf, params []byte
	if err := r.Scan(&c.RunID, &c.TaskID, &c.DAGID, &c.Try, &c.MaxTries, &timeout, &delay, &maxDelay,
		&c.Exponential, &c.Logical, &c.IntervalStart, &c.IntervalEnd, &conf, &params, &c.Downstream,
		&c.ReadyAt, &c.ClaimedAt); err != nil {
		return c, err
	}
	c.Timeout, c.RetryDelay, c.MaxRetryDelay = fromMS(timeout), fromMS(delay), fromMS(maxDelay)
	c.Logical, c.IntervalStart, c.IntervalEnd = c.Logical.UTC(), c.IntervalStart.UTC(), c.IntervalEnd.UTC()
	var err error
	if c.Conf, err = decodeObject(conf, fmt.Sprintf("conf of run %q", c.RunID)); err != nil {
		return c, err
	}
	c.Params, err = decodeObject(params, fmt.Sprintf("params of DAG %q", c.DAGID))
	return c, err
}

func finishArgs(p driver.FinishParams) []any {
	from := make([]string, len(p.From))
	for i, st := range p.From {
		from[i] = string(st)
	}
	return []any{p.RunID, p.TaskID, p.Try, from, string(p.To), p.Error, p.RetryIn.Seconds(), p.GiveBack}
}

func (e executor) FinishAttempt(ctx context.Context, p driver.FinishParams, bump *driver.Bump) (driver.FinishResult, error) {
	var res driver.FinishResult
	b := &pgx.Batch{}
	b.Queue(sqlFinishTI, finishArgs(p)...)
	if bump != nil {
		b.Queue(sqlBumpDownstream, bumpArgs(p.RunID, *bump)...)
	}
	br := e.q.SendBatch(ctx, b)
	err := br.QueryRow().Scan(&res.Downstream)
	if errors.Is(err, pgx.ErrNoRows) {
		return res, fail(br.Close())
	}
	if err != nil {
		br.Close()
		return res, fail(err)
	}
	res.Finished = true
	if bump != nil {
		rows, err := br.Query()
		if res.Bumped, err = collect(rows, err, scanWaiting); err != nil {
			br.Close()
			return res, err
		}
	}
	return res, fail(br.Close())
}

// FinishLeaf sends the finish and the run's completion check as one batch
// (one round trip, one implicit transaction). If the run's last two tasks
// end at once, both checks may run before either commits; the scheduler's
// sweep then finishes the run on its next pass.
func (d *Driver) FinishLeaf(ctx context.Context, p driver.FinishParams, checkRun bool) (bool, []driver.FinishedRun, error) {
	b := &pgx.Batch{}
	b.Queue(sqlFinishLeafTI, finishArgs(p)...)
	if checkRun {
		b.Queue(sqlFinishRuns, []string{p.RunID})
	}
	br := d.db.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return false, nil, fail(err)
	}
	finished := rows.Next()
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, nil, fail(err)
	}
	var runs []driver.FinishedRun
	if checkRun {
		rows, err := br.Query()
		if runs, err = collect(rows, err, scanFinishedRun); err != nil {
			return finished, nil, err
		}
	}
	return finished, runs, fail(br.Close())
}

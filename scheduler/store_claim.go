package scheduler

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// claimedTask is an attempt a worker claimed: everything needed to run it.
type claimedTask struct {
	RunID, TaskID, DAGID string
	Try                  int
	Timeout              time.Duration
	Retry                retryPolicy
	Logical              time.Time
	IntervalStart        time.Time
	IntervalEnd          time.Time
	Conf, Params         map[string]any
	Downstream           []string
	// ReadyAt and ClaimedAt (database time) give the queue wait.
	ReadyAt, ClaimedAt time.Time
}

// claim takes up to n ready task instances for a worker, moving them to
// queued and incrementing their try number (the attempt's fencing token),
// then starts them (queued → running). The advisory lock, the claim and the
// start go in one batch: one round trip, one implicit transaction.
func (s *Store) claim(ctx context.Context, workerID, host string, pools, dagIDs []string, n int) ([]claimedTask, error) {
	if pools == nil {
		pools = []string{}
	}
	b := &pgx.Batch{}
	b.Queue(sqlAdvisoryXactLock, lockClaim)
	b.Queue(sqlClaim, n, workerID, host, pools, dagIDs)
	b.Queue(sqlStartClaimed, workerID)
	br := s.claimDB.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	out, err := scanClaimed(rows)
	if err != nil {
		return nil, err
	}
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	// The batch commits at Close; until it has, nothing is claimed.
	if err := br.Close(); err != nil {
		return nil, err
	}
	return out, nil
}

func scanClaimed(rows pgx.Rows) ([]claimedTask, error) {
	defer rows.Close()
	var out []claimedTask
	for rows.Next() {
		var c claimedTask
		var timeout, delay, maxDelay int64
		var conf, params []byte
		if err := rows.Scan(&c.RunID, &c.TaskID, &c.DAGID, &c.Try, &c.Retry.MaxTries, &timeout, &delay,
			&maxDelay, &c.Retry.Exponential, &c.Logical, &c.IntervalStart, &c.IntervalEnd, &conf, &params, &c.Downstream, &c.ReadyAt, &c.ClaimedAt); err != nil {
			return nil, err
		}
		c.Timeout = time.Duration(timeout) * time.Millisecond
		c.Retry.RetryDelay = time.Duration(delay) * time.Millisecond
		c.Retry.MaxRetryDelay = time.Duration(maxDelay) * time.Millisecond
		c.Conf, c.Params = map[string]any{}, map[string]any{}
		_ = json.Unmarshal(conf, &c.Conf)
		_ = json.Unmarshal(params, &c.Params)
		for k, v := range c.Conf {
			c.Params[k] = v
		}
		c.Logical, c.IntervalStart, c.IntervalEnd = c.Logical.UTC(), c.IntervalStart.UTC(), c.IntervalEnd.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

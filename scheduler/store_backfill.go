package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CreateBackfill plans runs for every schedule tick in [From, To] (ticks in
// the future are left out) and, unless DryRun, creates the backfill and its
// runs in one transaction: new runs are queued, existing ones picked by
// Reprocess are cleared and re-queued. The scheduler starts them within
// the backfill's MaxActiveRuns, in order (or newest first with
// RunBackwards). A DAG with an active backfill is ErrConflict.
func (s *Store) CreateBackfill(ctx context.Context, req BackfillRequest) (BackfillResult, error) {
	res := BackfillResult{DryRun: req.DryRun, Dates: []BackfillDate{}}
	if req.Reprocess == "" {
		req.Reprocess = ReprocessNone
	}
	if req.Reprocess != ReprocessNone && req.Reprocess != ReprocessFailed && req.Reprocess != ReprocessCompleted {
		return res, fmt.Errorf("%w: reprocess must be none, failed or completed, not %q", ErrInvalid, req.Reprocess)
	}
	if req.MaxActiveRuns <= 0 {
		req.MaxActiveRuns = 10
	}
	if req.From.IsZero() || req.To.IsZero() || req.To.Before(req.From) {
		return res, fmt.Errorf("%w: backfill needs from <= to", ErrInvalid)
	}
	if err := errors.Join(CheckLogicalDate(req.From), CheckLogicalDate(req.To)); err != nil {
		return res, err
	}
	if req.Conf == nil {
		req.Conf = map[string]any{}
	}
	conf, err := json.Marshal(req.Conf)
	if err != nil {
		return res, fmt.Errorf("%w: conf: %v", ErrInvalid, err)
	}
	dag, err := s.GetDAG(ctx, req.DAGID)
	if err != nil {
		return res, err
	}
	sched, err := ParseSchedule(dag.Schedule)
	if err != nil {
		return res, err
	}
	to := req.To
	if now := s.clock.Now(); to.After(now) {
		to = now
	}
	dates, err := sched.TicksIn(req.From.UTC(), to.UTC())
	if err != nil {
		return res, err
	}
	if req.RunBackwards {
		for i, j := 0, len(dates)-1; i < j; i, j = i+1, j-1 {
			dates[i], dates[j] = dates[j], dates[i]
		}
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		var active int64
		switch err := tx.QueryRow(ctx, sqlActiveBackfillOfDAG, req.DAGID).Scan(&active); {
		case err == nil && !req.DryRun: // a dry run creates nothing, so it may plan beside an active backfill
			return fmt.Errorf("%w: DAG %q already has an active backfill (#%d)", ErrConflict, req.DAGID, active)
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		existing, err := existingRuns(ctx, tx, req.DAGID, dates)
		if err != nil {
			return err
		}
		for _, l := range dates {
			e := existing[l.UnixNano()]
			res.Dates = append(res.Dates, BackfillDate{LogicalDate: l, Action: backfillAction(req.Reprocess, e.State),
				ExistingRunID: e.RunID, ExistingState: e.State})
		}
		if req.DryRun {
			return nil
		}
		b, err := scanBackfill(tx.QueryRow(ctx, sqlInsertBackfill, req.DAGID, req.From.UTC(), req.To.UTC(),
			req.Reprocess, req.MaxActiveRuns, req.RunBackwards, conf))
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: DAG %q already has an active backfill", ErrConflict, req.DAGID)
		}
		if err != nil {
			return err
		}
		res.Backfill = &b
		for i, d := range res.Dates {
			switch d.Action {
			case BackfillCreate:
				_, ok, err := insertRun(ctx, tx, newRun{dagID: req.DAGID, runType: RunTypeBackfill, logical: d.LogicalDate,
					sched: sched, conf: req.Conf, backfillID: &b.ID, backfillSort: i})
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("%w: a run for %s appeared meanwhile; retry", ErrConflict, d.LogicalDate.Format(time.RFC3339))
				}
			case BackfillReprocess:
				if err := s.clearRun(ctx, d.ExistingRunID, false, tx); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, sqlAttachRunToBackfill, d.ExistingRunID, b.ID, i); err != nil {
					return err
				}
			}
		}
		return notify(ctx, tx, chanScheduler)
	})
	if err != nil {
		return BackfillResult{DryRun: req.DryRun, Dates: []BackfillDate{}}, err
	}
	return res, nil
}

// existingRuns maps logical dates (UnixNano) to the DAG's runs at them.
func existingRuns(ctx context.Context, tx pgx.Tx, dagID string, dates []time.Time) (map[int64]DagRun, error) {
	rows, err := tx.Query(ctx, sqlExistingRuns, dagID, dates)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]DagRun{}
	for rows.Next() {
		var r DagRun
		if err := rows.Scan(&r.RunID, &r.LogicalDate, &r.State); err != nil {
			return nil, err
		}
		out[r.LogicalDate.UnixNano()] = r
	}
	return out, rows.Err()
}

func scanBackfill(row pgx.Row) (Backfill, error) {
	var b Backfill
	var conf []byte
	err := row.Scan(&b.ID, &b.DAGID, &b.From, &b.To, &b.Reprocess, &b.MaxActiveRuns, &b.RunBackwards,
		&conf, &b.State, &b.CreatedAt, &b.CompletedAt)
	b.Conf = decodeConf(conf)
	b.From, b.To = b.From.UTC(), b.To.UTC()
	b.RunCounts = map[string]int{}
	return b, err
}

// GetBackfill returns a backfill with its runs counted by state.
func (s *Store) GetBackfill(ctx context.Context, id int64) (Backfill, error) {
	b, err := one(s.db.QueryRow(ctx, sqlGetBackfill, id), scanBackfill, "backfill %d", id)
	if err != nil {
		return b, err
	}
	rows, err := s.db.Query(ctx, sqlBackfillRunCounts, id)
	b.RunCounts, err = countByState(rows, err)
	return b, err
}

// ListBackfills returns backfills, newest first, of one DAG or of all ("").
func (s *Store) ListBackfills(ctx context.Context, dagID string) ([]Backfill, error) {
	rows, err := s.db.Query(ctx, sqlListBackfills, dagID)
	return collect(rows, err, scanBackfill)
}

// PauseBackfill stops starting the backfill's queued runs.
func (s *Store) PauseBackfill(ctx context.Context, id int64) error {
	return s.setBackfillState(ctx, id, []string{BackfillRunning}, BackfillPaused, nil)
}

// UnpauseBackfill resumes a paused backfill.
func (s *Store) UnpauseBackfill(ctx context.Context, id int64) error {
	return s.setBackfillState(ctx, id, []string{BackfillPaused}, BackfillRunning, nil)
}

// CancelBackfill ends a backfill: its queued runs are failed (their tasks
// skipped); runs already running finish normally.
func (s *Store) CancelBackfill(ctx context.Context, id int64) error {
	return s.setBackfillState(ctx, id, []string{BackfillRunning, BackfillPaused}, BackfillCancelled, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlQueuedBackfillRuns, id)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, runID := range ids {
			if _, err := tx.Exec(ctx, sqlMarkRunTIs, runID, string(RunFailed)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, sqlSetRunState, runID, string(RunFailed)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) setBackfillState(ctx context.Context, id int64, from []string, to string, then func(pgx.Tx) error) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlSetBackfillState, id, from, to)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			b, err := one(tx.QueryRow(ctx, sqlGetBackfill, id), scanBackfill, "backfill %d", id)
			if err != nil {
				return err
			}
			return fmt.Errorf("%w: backfill %d is %s", ErrConflict, id, b.State)
		}
		if then != nil {
			if err := then(tx); err != nil {
				return err
			}
		}
		return notify(ctx, tx, chanScheduler)
	})
}

// completeBackfills marks running backfills with no queued or running run
// left as completed.
func (s *Store) completeBackfills(ctx context.Context) (int64, error) {
	tag, err := s.db.Exec(ctx, sqlCompleteBackfills)
	return tag.RowsAffected(), err
}

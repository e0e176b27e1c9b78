package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
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
	dag, err := s.GetDAG(ctx, req.DAGID)
	if err != nil {
		return res, err
	}
	sched, err := parseSchedule(dag.Schedule)
	if err != nil {
		return res, err
	}
	to := req.To
	if now := s.clock.Now(); to.After(now) {
		to = now
	}
	dates, err := sched.ticksIn(req.From.UTC(), to.UTC())
	if err != nil {
		return res, err
	}
	if req.RunBackwards {
		for i, j := 0, len(dates)-1; i < j; i, j = i+1, j-1 {
			dates[i], dates[j] = dates[j], dates[i]
		}
	}
	err = s.tx(ctx, func(tx driver.Executor) error {
		switch active, err := tx.ActiveBackfill(ctx, req.DAGID); {
		case err == nil:
			if !req.DryRun { // a dry run creates nothing, so it may plan beside an active backfill
				return fmt.Errorf("%w: DAG %q already has an active backfill (#%d)", ErrConflict, req.DAGID, active)
			}
		case !errors.Is(err, ErrNotFound):
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
		b, err := tx.InsertBackfill(ctx, Backfill{DAGID: req.DAGID, From: req.From, To: req.To,
			Reprocess: req.Reprocess, MaxActiveRuns: req.MaxActiveRuns, RunBackwards: req.RunBackwards, Conf: req.Conf})
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
				if err := tx.AttachRunToBackfill(ctx, d.ExistingRunID, b.ID, i); err != nil {
					return err
				}
			}
		}
		return tx.Notify(ctx, driver.ChanScheduler)
	})
	if err != nil {
		return BackfillResult{DryRun: req.DryRun, Dates: []BackfillDate{}}, err
	}
	return res, nil
}

// existingRuns maps logical dates (UnixNano) to the DAG's runs at them.
func existingRuns(ctx context.Context, tx driver.Executor, dagID string, dates []time.Time) (map[int64]DagRun, error) {
	runs, err := tx.ExistingRuns(ctx, dagID, dates)
	if err != nil {
		return nil, err
	}
	out := map[int64]DagRun{}
	for _, r := range runs {
		out[r.LogicalDate.UnixNano()] = r
	}
	return out, nil
}

// GetBackfill returns a backfill with its runs counted by state.
func (s *Store) GetBackfill(ctx context.Context, id int64) (Backfill, error) {
	b, err := s.drv.GetBackfill(ctx, id)
	if err != nil {
		return b, err
	}
	b.RunCounts, err = s.drv.BackfillRunCounts(ctx, id)
	return b, err
}

// ListBackfills returns backfills, newest first, of one DAG or of all ("").
func (s *Store) ListBackfills(ctx context.Context, dagID string) ([]Backfill, error) {
	return s.drv.ListBackfills(ctx, dagID)
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
	return s.setBackfillState(ctx, id, []string{BackfillRunning, BackfillPaused}, BackfillCancelled, func(tx driver.Executor) error {
		ids, err := tx.QueuedBackfillRuns(ctx, id)
		if err != nil {
			return err
		}
		for _, runID := range ids {
			if err := endRun(ctx, tx, runID, RunFailed); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) setBackfillState(ctx context.Context, id int64, from []string, to string, then func(driver.Executor) error) error {
	return s.tx(ctx, func(tx driver.Executor) error {
		moved, err := tx.SetBackfillState(ctx, id, from, to)
		if err != nil {
			return err
		}
		if !moved {
			b, err := tx.GetBackfill(ctx, id)
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
		return tx.Notify(ctx, driver.ChanScheduler)
	})
}

// completeBackfills marks running backfills with no queued or running run
// left as completed.
func (s *Store) completeBackfills(ctx context.Context) (int64, error) {
	return s.drv.CompleteBackfills(ctx)
}

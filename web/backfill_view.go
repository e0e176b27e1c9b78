package web

import (
	"context"

	"github.com/finpipe/finpipe/scheduler"
)

// backfillView is a backfill as the API and the UI show it: the store's
// record plus its progress, derived from the run counts by state.
type backfillView struct {
	scheduler.Backfill
	Progress progress `json:"progress"`
}

// progress counts a backfill's runs: Done = finished (success or failed).
type progress struct {
	Total   int `json:"total"`
	Done    int `json:"done"`
	Success int `json:"success"`
	Failed  int `json:"failed"`
	Running int `json:"running"`
	Queued  int `json:"queued"`
}

func viewBackfill(b scheduler.Backfill) backfillView {
	c := b.RunCounts
	p := progress{Success: c[string(scheduler.RunSuccess)], Failed: c[string(scheduler.RunFailed)],
		Running: c[string(scheduler.RunRunning)], Queued: c[string(scheduler.RunQueued)]}
	for _, n := range c {
		p.Total += n
	}
	p.Done = p.Success + p.Failed
	return backfillView{Backfill: b, Progress: p}
}

// listBackfills returns the newest backfills (of one DAG, or all for ""),
// each re-read with GetBackfill: the store's list leaves out the run counts
// that progress needs. limit keeps that to a few small queries.
func (s *server) listBackfills(ctx context.Context, dagID string, limit int) ([]backfillView, error) {
	bs, err := s.orch.ListBackfills(ctx, dagID)
	if err != nil {
		return nil, err
	}
	out := make([]backfillView, 0, min(len(bs), limit))
	for _, b := range bs[:min(len(bs), limit)] {
		full, err := s.orch.GetBackfill(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, viewBackfill(full))
	}
	return out, nil
}

// Active reports whether the backfill may still start runs.
func (b backfillView) Active() bool {
	return b.State == scheduler.BackfillRunning || b.State == scheduler.BackfillPaused
}

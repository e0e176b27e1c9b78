package pgstore

import (
	"context"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

func (e executor) CountCleanable(ctx context.Context, c driver.Cutoffs, keep int) (model.CleanResult, error) {
	var r model.CleanResult
	err := e.q.QueryRow(ctx, sqlCountCleanable, c.Runs, keep, c.AssetRuns).Scan(&r.Runs, &r.TaskInstances, &r.Attempts, &r.LogLines)
	if err == nil {
		err = e.q.QueryRow(ctx, sqlCountCleanableWorkers, c.Runs).Scan(&r.Workers)
	}
	if err == nil { // events free now; those the runs above would free are not counted
		err = e.q.QueryRow(ctx, sqlCountCleanableEvents, c.Runs, c.AssetRuns).Scan(&r.AssetEvents)
	}
	return r, fail(err)
}

func (e executor) CleanRunsBatch(ctx context.Context, c driver.Cutoffs, keep, limit int) (model.CleanResult, error) {
	var r model.CleanResult
	err := e.q.QueryRow(ctx, sqlCleanRunsBatch, c.Runs, keep, c.AssetRuns, limit).Scan(&r.Runs, &r.TaskInstances, &r.Attempts, &r.LogLines)
	return r, fail(err)
}

func (e executor) CleanWorkers(ctx context.Context, cutoff time.Time) (int64, error) {
	return e.exec(ctx, sqlCleanWorkers, cutoff)
}

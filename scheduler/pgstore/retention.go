package pgstore

import (
	"context"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/model"
)

func (e executor) CountCleanable(ctx context.Context, cutoff time.Time) (model.CleanResult, error) {
	var r model.CleanResult
	err := e.q.QueryRow(ctx, sqlCountCleanable, cutoff).Scan(&r.Runs, &r.TaskInstances, &r.Attempts, &r.LogLines)
	if err == nil {
		err = e.q.QueryRow(ctx, sqlCountCleanableWorkers, cutoff).Scan(&r.Workers)
	}
	if err == nil { // events free now; those the runs above would free are not counted
		err = e.q.QueryRow(ctx, sqlCountCleanableEvents, cutoff).Scan(&r.AssetEvents)
	}
	return r, fail(err)
}

func (e executor) CleanRunsBatch(ctx context.Context, cutoff time.Time, limit int) (model.CleanResult, error) {
	var r model.CleanResult
	err := e.q.QueryRow(ctx, sqlCleanRunsBatch, cutoff, limit).Scan(&r.Runs, &r.TaskInstances, &r.Attempts, &r.LogLines)
	return r, fail(err)
}

func (e executor) CleanWorkers(ctx context.Context, cutoff time.Time) (int64, error) {
	return e.exec(ctx, sqlCleanWorkers, cutoff)
}

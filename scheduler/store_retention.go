package scheduler

import (
	"context"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// DefaultCleanBatch is how many runs one transaction of CleanRuns deletes:
// small enough that locks and the cascade to log lines stay brief, so the
// scheduler and workers never wait on a clean for long.
const DefaultCleanBatch = 1000

// CleanOptions tune CleanRuns.
type CleanOptions struct {
	// BatchSize is the number of runs per transaction (default DefaultCleanBatch).
	BatchSize int
	// KeepRuns keeps each DAG's newest KeepRuns runs whatever their age
	// (0: only its newest scheduled run, which is always kept).
	KeepRuns int
	// AssetCutoff, when after the cutoff, deletes successful
	// asset-triggered runs that ended before it too: they come by the
	// hundred thousand a day and are alike, whereas failed runs and
	// scheduled, manual and backfill runs are what an operator looks back
	// on. Asset events whose source run is gone (or that have none, the
	// watcher's) go from it as well. Zero (or before the cutoff): the cutoff.
	AssetCutoff time.Time
	// DryRun counts what would be deleted and deletes nothing.
	DryRun bool
	// Progress, when set, is called after each batch with the totals so far.
	Progress func(CleanResult)
}

// addClean adds the counts of o to r.
func addClean(r *CleanResult, o CleanResult) {
	r.Runs += o.Runs
	r.TaskInstances += o.TaskInstances
	r.Attempts += o.Attempts
	r.LogLines += o.LogLines
	r.Workers += o.Workers
	r.AssetEvents += o.AssetEvents
}

// CleanRuns deletes finished runs that ended before cutoff (successful
// asset-triggered runs: before opts.AssetCutoff), with their task
// instances, attempts and log lines, in batches of one transaction each,
// then the registry rows of workers gone since before cutoff, then the
// asset events before cutoff that no remaining run covers (and those
// before opts.AssetCutoff that no remaining run covers or came from). It keeps each
// DAG's newest scheduled run, its newest opts.KeepRuns runs, and the runs
// of active backfills (see pgstore's sqlCleanableRuns). Queued and running
// runs are never touched. An interrupted clean keeps what its finished
// batches deleted.
func (s *Store) CleanRuns(ctx context.Context, cutoff time.Time, opts CleanOptions) (CleanResult, error) {
	var total CleanResult
	c := driver.Cutoffs{Runs: cutoff, AssetRuns: opts.AssetCutoff}
	if c.AssetRuns.Before(cutoff) {
		c.AssetRuns = cutoff
	}
	if opts.DryRun {
		return s.drv.CountCleanable(ctx, c, opts.KeepRuns)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultCleanBatch
	}
	for {
		b, err := s.drv.CleanRunsBatch(ctx, c, opts.KeepRuns, opts.BatchSize)
		if err != nil {
			return total, err
		}
		addClean(&total, b)
		if opts.Progress != nil && b.Runs > 0 {
			opts.Progress(total)
		}
		if b.Runs < int64(opts.BatchSize) {
			break
		}
	}
	var err error
	if total.Workers, err = s.drv.CleanWorkers(ctx, cutoff); err != nil {
		return total, err
	}
	// Then the asset events that the deleted runs were the last to cover.
	for {
		n, err := s.drv.CleanAssetEvents(ctx, c, opts.BatchSize)
		total.AssetEvents += n
		if err != nil || n < int64(opts.BatchSize) {
			return total, err
		}
	}
}

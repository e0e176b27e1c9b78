package scheduler

import (
	"context"
	"time"
)

// DefaultCleanBatch is how many runs one transaction of CleanRuns deletes:
// small enough that locks and the cascade to log lines stay brief, so the
// scheduler and workers never wait on a clean for long.
const DefaultCleanBatch = 1000

// CleanOptions tune CleanRuns.
type CleanOptions struct {
	// BatchSize is the number of runs per transaction (default DefaultCleanBatch).
	BatchSize int
	// DryRun counts what would be deleted and deletes nothing.
	DryRun bool
	// Progress, when set, is called after each batch with the totals so far.
	Progress func(CleanResult)
}

// CleanResult counts what CleanRuns deleted (or would delete).
type CleanResult struct {
	Runs          int64 `json:"runs"`
	TaskInstances int64 `json:"task_instances"`
	Attempts      int64 `json:"attempts"`
	LogLines      int64 `json:"log_lines"`
	Workers       int64 `json:"workers"` // worker registry rows
}

func (r *CleanResult) add(o CleanResult) {
	r.Runs += o.Runs
	r.TaskInstances += o.TaskInstances
	r.Attempts += o.Attempts
	r.LogLines += o.LogLines
	r.Workers += o.Workers
}

// CleanRuns deletes finished runs that ended before cutoff, with their task
// instances, attempts and log lines, in batches of one transaction each,
// and then the registry rows of workers gone since before cutoff. It
// keeps each DAG's newest scheduled run and the runs of active backfills
// (see sqlCleanableRuns). Queued and running runs are never touched. An
// interrupted clean keeps what its finished batches deleted.
func (s *Store) CleanRuns(ctx context.Context, cutoff time.Time, opts CleanOptions) (CleanResult, error) {
	var total CleanResult
	if opts.DryRun {
		err := s.db.QueryRow(ctx, sqlCountCleanable, cutoff).Scan(
			&total.Runs, &total.TaskInstances, &total.Attempts, &total.LogLines)
		if err == nil {
			err = s.db.QueryRow(ctx, sqlCountCleanableWorkers, cutoff).Scan(&total.Workers)
		}
		return total, err
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultCleanBatch
	}
	for {
		var b CleanResult
		if err := s.db.QueryRow(ctx, sqlCleanRunsBatch, cutoff, opts.BatchSize).Scan(
			&b.Runs, &b.TaskInstances, &b.Attempts, &b.LogLines); err != nil {
			return total, err
		}
		total.add(b)
		if opts.Progress != nil && b.Runs > 0 {
			opts.Progress(total)
		}
		if b.Runs < int64(opts.BatchSize) {
			break
		}
	}
	tag, err := s.db.Exec(ctx, sqlCleanWorkers, cutoff)
	total.Workers = tag.RowsAffected()
	return total, err
}

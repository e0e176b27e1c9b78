package main

import (
	"context"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/internal/human"
	"github.com/finpipe/finpipe/scheduler"
)

// waitForBackfill polls backfill id until it completes or is cancelled,
// drawing its finished runs out of total on progress, then prints the
// outcome. It exits 1 unless every run succeeded, as `dags trigger --wait`
// does for one run. The scheduler (standalone or `finpipe scheduler`)
// does the work; a paused backfill is waited for.
func (proc *process) waitForBackfill(ctx context.Context, store *scheduler.Store, id int64, total int, progress *bar) error {
	began := time.Now()
	progress.Start(int64(total))
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		b, err := store.GetBackfill(ctx, id)
		if err != nil {
			progress.End()
			return err
		}
		finished := b.RunCounts[string(scheduler.RunSuccess)] + b.RunCounts[string(scheduler.RunFailed)]
		progress.Set(int64(finished))
		if b.State == scheduler.BackfillCompleted || b.State == scheduler.BackfillCancelled {
			progress.End()
			fmt.Fprintf(proc.stdout, "backfill %d %s in %s: %s\n", id, b.State, human.Duration(time.Since(began)), formatRunCounts(b.RunCounts))
			return backfillOutcome(b)
		}
		select {
		case <-ctx.Done():
			progress.End()
			return fmt.Errorf("stopped waiting; backfill %d is %s with runs %s", id, b.State, formatRunCounts(b.RunCounts))
		case <-t.C:
		}
	}
}

// backfillOutcome is the exit status of a finished backfill: 0 when it
// completed with every run successful, else 1.
func backfillOutcome(b scheduler.Backfill) error {
	for st, n := range b.RunCounts {
		if n > 0 && st != string(scheduler.RunSuccess) {
			return exitError{code: 1}
		}
	}
	if b.State != scheduler.BackfillCompleted {
		return exitError{code: 1}
	}
	return nil
}

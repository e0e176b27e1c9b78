package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	registerGroup("db", "database maintenance: clean old runs, task instances and logs", map[string]command{
		"clean": {name: "clean", args: "--older-than 30d [--dry-run] [--batch-size N] [--json]", run: dbClean,
			summary: "delete runs that finished before the cutoff, with their task instances, attempts and logs, a batch of runs per transaction, and the registry rows of workers gone since then"},
	})
}

// dbClean deletes old finished runs. It is safe to run while the scheduler
// and workers are busy: each batch is one short transaction that skips rows
// others hold, and queued or running runs are never touched.
func dbClean(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("db clean", flag.ContinueOnError)
	usageFor(fs, "finpipe db clean --older-than DURATION [--asset-runs-older-than DURATION] [--dry-run] [flags]")
	olderThan := fs.String("older-than", "", "delete runs that finished more than this `duration` ago (e.g. 30d, 72h); required")
	assetOlderThan := fs.String("asset-runs-older-than", "", "also delete successful asset-triggered runs that finished more than this `duration` ago (e.g. 1d), "+
		"as FINPIPE_ASSET_RUN_RETENTION does; failed ones and other runs keep --older-than (default: --older-than for all)")
	dryRun := fs.Bool("dry-run", false, "count what would be deleted, delete nothing")
	batch := fs.Int("batch-size", scheduler.DefaultCleanBatch, "runs deleted per transaction")
	asJSON := fs.Bool("json", false, "print the counts as one JSON object")
	_, store, err := proc.dbCommand(ctx, fs, args, 0)
	if err != nil {
		return err
	}
	defer store.Close()
	age, err := config.ParseDuration(*olderThan)
	if err != nil || age <= 0 {
		fmt.Fprintf(proc.stderr, "finpipe db clean: --older-than %q: must be a positive duration such as 30d or 72h\n", *olderThan)
		return exitError{code: 2}
	}
	var assetAge time.Duration
	if *assetOlderThan != "" {
		if assetAge, err = config.ParseDuration(*assetOlderThan); err != nil || assetAge <= 0 {
			fmt.Fprintf(proc.stderr, "finpipe db clean: --asset-runs-older-than %q: must be a positive duration such as 1d or 12h\n", *assetOlderThan)
			return exitError{code: 2}
		}
	}
	if *batch <= 0 {
		fmt.Fprintln(proc.stderr, "finpipe db clean: --batch-size must be positive")
		return exitError{code: 2}
	}
	now := time.Now()
	cutoff := now.Add(-age)
	opts := scheduler.CleanOptions{BatchSize: *batch, DryRun: *dryRun}
	if assetAge > 0 && assetAge < age {
		opts.AssetCutoff = now.Add(-assetAge)
	}
	if !*asJSON {
		opts.Progress = func(r scheduler.CleanResult) { fmt.Fprintf(proc.stderr, "deleted %d runs so far\n", r.Runs) }
	}
	res, err := store.CleanRuns(ctx, cutoff, opts)
	if err != nil {
		return fmt.Errorf("after deleting %d runs: %w", res.Runs, err)
	}
	if *asJSON {
		var assetCutoff *time.Time // omitted: every run had the one cutoff
		if !opts.AssetCutoff.IsZero() {
			c := opts.AssetCutoff.UTC()
			assetCutoff = &c
		}
		return json.NewEncoder(proc.stdout).Encode(struct {
			Cutoff      time.Time  `json:"cutoff"`
			AssetCutoff *time.Time `json:"asset_run_cutoff,omitempty"`
			DryRun      bool       `json:"dry_run"`
			scheduler.CleanResult
		}{cutoff.UTC(), assetCutoff, *dryRun, res})
	}
	verb := "deleted"
	if *dryRun {
		verb = "would delete"
	}
	before := cutoff.UTC().Format(time.RFC3339)
	if !opts.AssetCutoff.IsZero() {
		before += " (successful asset-triggered runs: before " + opts.AssetCutoff.UTC().Format(time.RFC3339) + ")"
	}
	fmt.Fprintf(proc.stdout, "%s %d runs, %d task instances, %d attempts, %d log lines that finished before %s, %d stopped workers, and %d asset events no run covers\n",
		verb, res.Runs, res.TaskInstances, res.Attempts, res.LogLines, before, res.Workers, res.AssetEvents)
	return nil
}

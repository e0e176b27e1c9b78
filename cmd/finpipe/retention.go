package main

import (
	"context"
	"log/slog"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/scheduler"
)

// retentionService runs the scheduler's retention loop in every process
// that schedules (scheduler, standalone), so the database stays bounded
// without an operator: FINPIPE_RUN_RETENTION (7d; 0 turns it off),
// FINPIPE_ASSET_RUN_RETENTION (1d for successful asset-triggered runs; 0:
// the same as the others) and FINPIPE_KEEP_RUNS (100 per DAG always
// kept). store is called at start, after the database is up.
func retentionService(cfg *config.Settings, store func() *scheduler.Store, log *slog.Logger) service {
	var r *scheduler.Retention
	return service{name: "retention",
		start: func(ctx context.Context) error {
			age := cfg.RunRetention
			if age == 0 {
				age = -1 // off
			}
			assetAge := cfg.AssetRunRetention
			if assetAge == 0 {
				assetAge = -1 // as long as the others
			}
			r = scheduler.NewRetention(store(), scheduler.RetentionOptions{MaxAge: age, AssetMaxAge: assetAge,
				KeepRuns: cfg.KeepRuns, Logger: log})
			return r.Start(ctx)
		},
		stop: func(ctx context.Context) error { return r.Stop(ctx) }}
}

package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Retention defaults. At one medallion run a second a deployment makes
// 86,400 runs, 259,200 task instances and their attempts and log lines a
// day; without a bound PostgreSQL grows by gigabytes a week and every
// list slows down. A week of history is what an operator looks back on
// (Airflow's `airflow db clean` is usually run with 7 to 30 days); the
// newest DefaultKeepRuns runs of each DAG stay whatever their age, so a
// DAG that runs monthly never loses its history. Successful
// asset-triggered runs are kept DefaultAssetRunRetention only: a steady
// producer makes one per watcher poll (200 ms), up to 432,000 a day, all
// alike; a week of them would be 3 million runs and 9 million task
// instances for the medallion DAG alone. Failed ones keep the week.
const (
	DefaultRunRetention      = 7 * 24 * time.Hour
	DefaultAssetRunRetention = 24 * time.Hour
	DefaultKeepRuns          = 100
	DefaultRetentionEvery    = 10 * time.Minute
	retentionStartupDelay    = time.Minute // let a restarting deployment catch up first
	retentionRetryOnFailure  = time.Minute
)

// RetentionOptions tune the Retention service; zero fields take the
// defaults above.
type RetentionOptions struct {
	// MaxAge deletes finished runs that ended longer ago than this, with
	// their task instances, attempts and log lines (default
	// DefaultRunRetention). Negative turns retention off.
	MaxAge time.Duration
	// AssetMaxAge deletes successful asset-triggered runs sooner: those
	// that ended longer ago than this (default DefaultAssetRunRetention).
	// Negative, or not below MaxAge, gives them MaxAge like every run.
	AssetMaxAge time.Duration
	// KeepRuns is how many of each DAG's newest runs are always kept
	// (default DefaultKeepRuns).
	KeepRuns int
	// Every is how often it cleans (default DefaultRetentionEvery).
	Every time.Duration
	// BatchSize is runs per transaction (default DefaultCleanBatch).
	BatchSize int
	Logger    *slog.Logger
	Clock     Clock
}

func (o RetentionOptions) withDefaults() RetentionOptions {
	if o.MaxAge == 0 {
		o.MaxAge = DefaultRunRetention
	}
	if o.AssetMaxAge == 0 {
		o.AssetMaxAge = DefaultAssetRunRetention
	}
	if o.AssetMaxAge < 0 || o.AssetMaxAge > o.MaxAge {
		o.AssetMaxAge = o.MaxAge
	}
	if o.KeepRuns <= 0 {
		o.KeepRuns = DefaultKeepRuns
	}
	if o.Every <= 0 {
		o.Every = DefaultRetentionEvery
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	return o
}

// Retention deletes old runs on a timer, so that a deployment's database
// stays bounded without an operator running `finpipe db clean`. Every
// scheduler process runs one: two at once are safe, since each batch
// skips the rows another holds (CleanRuns), and the second finds little
// left to do.
type Retention struct {
	store *Store
	opts  RetentionOptions

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewRetention returns a stopped Retention service.
func NewRetention(s *Store, opts RetentionOptions) *Retention {
	return &Retention{store: s, opts: opts.withDefaults()}
}

// Start begins cleaning in the background: the first pass a minute after
// start, then every opts.Every. With a negative MaxAge it does nothing.
func (r *Retention) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		return errors.New("scheduler: retention already started")
	}
	ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.done = make(chan struct{})
	go r.loop(ctx)
	return nil
}

// Stop ends the loop, interrupting a pass between batches (what the
// finished batches deleted stays deleted).
func (r *Retention) Stop(ctx context.Context) error {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Retention) loop(ctx context.Context) {
	defer close(r.done)
	if r.opts.MaxAge < 0 {
		return
	}
	wait := retentionStartupDelay
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = r.opts.Every
		if _, err := r.Pass(ctx); err != nil && ctx.Err() == nil {
			r.opts.Logger.Warn("retention pass failed; retrying", "err", err, "in", retentionRetryOnFailure)
			wait = retentionRetryOnFailure
		}
	}
}

// Pass runs one clean now, as the loop does: runs that finished more than
// MaxAge ago (successful asset-triggered runs: AssetMaxAge), except each
// DAG's newest KeepRuns.
func (r *Retention) Pass(ctx context.Context) (CleanResult, error) {
	now := r.opts.Clock.Now()
	cutoff, assetCutoff := now.Add(-r.opts.MaxAge), now.Add(-r.opts.AssetMaxAge)
	start := time.Now()
	res, err := r.store.CleanRuns(ctx, cutoff, CleanOptions{BatchSize: r.opts.BatchSize, KeepRuns: r.opts.KeepRuns, AssetCutoff: assetCutoff})
	if res.Runs > 0 || res.Workers > 0 || res.AssetEvents > 0 {
		r.opts.Logger.Info("retention", "runs", res.Runs, "task_instances", res.TaskInstances, "attempts", res.Attempts,
			"log_lines", res.LogLines, "workers", res.Workers, "asset_events", res.AssetEvents, "cutoff", cutoff,
			"asset_run_cutoff", assetCutoff, "took", time.Since(start).Round(time.Millisecond))
	}
	return res, err
}

package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// SchedulerOptions configure a Scheduler. Zero values mean the defaults.
type SchedulerOptions struct {
	// PollInterval is the fallback sweep period (default 2s, ±20% jitter);
	// NOTIFYs (a manual run, a finished run) trigger sweeps sooner.
	PollInterval time.Duration
	// ReapAfter is how long a worker may miss heartbeats before its attempts
	// are reaped (default 30s).
	ReapAfter time.Duration
	Logger    *slog.Logger
	// Clock decides which intervals are due (default SystemClock).
	Clock Clock

	// Topics, when set, makes this scheduler a candidate for the
	// deployment's one Kafka watcher (watcher.go), which turns new offsets
	// of the registry's Kafka topic assets into asset events. Without it,
	// topic assets get no events from this process.
	Topics TopicOffsets
	// WatchInterval is the watcher's poll period (default 200 ms).
	WatchInterval time.Duration
	// WatchLockRetry is how often a scheduler that is not the watcher
	// tries to become it (default 3 s, ±20%): how long a dead watcher's
	// topics go unwatched, at most.
	WatchLockRetry time.Duration
	// LagBackoff is how long after a failed asset-triggered run lag alone
	// queues the next one (default 30 s); new offsets still queue one at
	// once. It is the watcher's: a worker whose task leaves lag queues the
	// next run itself only while the DAG's last finished asset-triggered
	// run succeeded, and leaves the rest to the watcher, so the backoff
	// holds whichever process finishes the task.
	LagBackoff time.Duration
}

// Scheduler creates runs from DAG schedules and keeps runs moving: it syncs
// the registry into PostgreSQL, fires schedule ticks with gocron (behind a
// Postgres advisory-lock locker), and sweeps on NOTIFY or a jittered poll:
// create due runs (catchup), start queued runs within max_active_runs, reap
// attempts of dead workers, finish runs, complete backfills. Any number of
// schedulers may run against one database.
type Scheduler struct {
	store *Store
	reg   *Registry
	opts  SchedulerOptions
	log   *slog.Logger

	cron gocron.Scheduler
	lsn  *listener
	wg   sync.WaitGroup

	mu     sync.Mutex         // guards cancel against concurrent Start and Stop
	cancel context.CancelFunc // ends ticks and sweeps; nil when not running
}

// NewScheduler prepares a scheduler; Start runs it.
func NewScheduler(store *Store, reg *Registry, opts SchedulerOptions) *Scheduler {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 2 * time.Second
	}
	if opts.ReapAfter <= 0 {
		opts.ReapAfter = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = store.clock
	}
	if opts.WatchInterval <= 0 {
		opts.WatchInterval = DefaultWatchInterval
	}
	if opts.WatchLockRetry <= 0 {
		opts.WatchLockRetry = DefaultWatchLockRetry
	}
	if opts.LagBackoff <= 0 {
		opts.LagBackoff = DefaultLagBackoff
	}
	return &Scheduler{store: store, reg: reg, opts: opts, log: opts.Logger.With("component", "scheduler")}
}

// Start refuses a database whose schema is behind, syncs the DAGs, then
// starts ticking and sweeping.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return nil // already running
	}
	if err := s.store.CheckSchema(ctx); err != nil {
		return err
	}
	if err := s.store.SyncDAGs(ctx, s.reg); err != nil {
		return fmt.Errorf("sync DAGs: %w", err)
	}
	cron, err := gocron.NewScheduler(gocron.WithLocation(time.UTC),
		gocron.WithDistributedLocker(tickLocker{drv: s.store.drv}),
		gocron.WithLogger(gocronLogger{s.log}))
	if err != nil {
		return err
	}
	s.cron = cron
	bg, cancel := context.WithCancel(context.Background())
	s.lsn = newListener(s.store.drv, driver.ChanScheduler, s.log)
	for _, d := range s.reg.DAGs() {
		if err := s.addTick(bg, d); err != nil {
			cancel()
			_ = cron.Shutdown()
			return err
		}
	}
	s.cancel = cancel
	cron.Start()
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.lsn.run(bg) }()
	go func() { defer s.wg.Done(); s.loop(bg) }()
	if w := newWatcher(s); s.opts.Topics != nil && len(w.assets) > 0 {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); w.run(bg) }()
	}
	s.log.Info("scheduler started", "dags", len(s.reg.DAGs()))
	return nil
}

// addTick registers a gocron job that creates a DAG's runs on time; its
// ticks run under ctx, so Stop cancels one in flight.
func (s *Scheduler) addTick(ctx context.Context, d *DAG) error {
	sched, err := parseSchedule(d.Opts.Schedule)
	if err != nil || sched.isNone() {
		return err
	}
	def := gocron.CronJob(sched.String(), false)
	if every := sched.everyInterval(); every > 0 {
		// gocron waits in real time: start after the delay that the
		// injected clock gives, so a fake clock in the past or future still
		// gets a start gocron accepts (and the real clock its exact tick).
		now := s.opts.Clock.Now()
		first := time.Now().Add(sched.Next(now).Sub(now))
		_, err = s.cron.NewJob(gocron.DurationJob(every), gocron.NewTask(s.tick, ctx, d),
			gocron.WithName("dag:"+d.ID), gocron.WithStartAt(gocron.WithStartDateTime(first)),
			gocron.WithSingletonMode(gocron.LimitModeReschedule))
		return err
	}
	_, err = s.cron.NewJob(def, gocron.NewTask(s.tick, ctx, d), gocron.WithName("dag:"+d.ID),
		gocron.WithSingletonMode(gocron.LimitModeReschedule))
	return err
}

// sweepGap is the least time between two sweeps.
const sweepGap = 100 * time.Millisecond

// tick creates the DAG's due runs and starts them.
func (s *Scheduler) tick(ctx context.Context, d *DAG) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	n, err := s.store.createDueRuns(ctx, d, s.opts.Clock.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("creating runs failed", "dag_id", d.ID, "err", err)
		}
		return
	}
	if n > 0 {
		s.log.Info("created scheduled runs", "dag_id", d.ID, "runs", n)
		if _, err := s.store.promoteRuns(ctx); err != nil {
			s.log.Warn("starting runs failed", "err", err)
		}
	}
}

// loop sweeps on NOTIFY and on a jittered poll, at most every sweepGap:
// a burst of finishing runs costs one sweep, not one each.
func (s *Scheduler) loop(ctx context.Context) {
	for {
		last := time.Now()
		s.sweep(ctx)
		t := time.NewTimer(jitter(s.opts.PollInterval))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.lsn.wake:
		case <-t.C:
		}
		t.Stop()
		// The gap counts from the previous sweep's start, not from the
		// wake-up: a burst of NOTIFYs still coalesces into one sweep per
		// gap, but a run that ends long after the last sweep starts its
		// successor at once instead of 100 ms later (which was most of the
		// time between back-to-back runs).
		if wait := sweepGap - time.Since(last); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	}
}

func (s *Scheduler) sweep(ctx context.Context) {
	warn := func(what string, err error) {
		if err != nil && ctx.Err() == nil {
			s.log.Warn(what+" failed", "err", err)
		}
	}
	now := s.opts.Clock.Now()
	for _, d := range s.reg.DAGs() {
		_, err := s.store.createDueRuns(ctx, d, now)
		warn("creating runs of "+d.ID, err)
	}
	if ids, err := s.store.runningRunIDs(ctx); err == nil && len(ids) > 0 {
		_, err = s.store.finishRuns(ctx, ids)
		warn("finishing runs", err)
	} else {
		warn("listing runs", err)
	}
	_, err := s.store.completeBackfills(ctx)
	warn("completing backfills", err)
	_, err = s.store.queueReadyAssetRuns(ctx)
	warn("queueing asset-triggered runs", err)
	_, err = s.store.promoteRuns(ctx)
	warn("starting runs", err)
	if n, err := s.store.reapOrphans(ctx, s.opts.ReapAfter); n > 0 {
		s.log.Warn("reaped attempts of dead workers", "attempts", n)
	} else {
		warn("reaping", err)
	}
}

// Stop stops ticking and sweeping; runs and tasks are untouched. A tick or
// sweep in flight is cancelled first, so Stop does not wait on its
// statements (a transaction left by a cancelled tick rolls back).
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel == nil {
		return nil // never started, or already stopped
	}
	s.cancel()
	s.cancel = nil
	err := s.cron.Shutdown()
	s.wg.Wait()
	s.log.Info("scheduler stopped")
	return err
}

// gocronLogger adapts slog to gocron's Logger.
type gocronLogger struct{ l *slog.Logger }

func (g gocronLogger) Debug(msg string, args ...any) { g.l.Debug(msg, args...) }
func (g gocronLogger) Error(msg string, args ...any) { g.l.Error(msg, args...) }
func (g gocronLogger) Info(msg string, args ...any)  { g.l.Debug(msg, args...) }
func (g gocronLogger) Warn(msg string, args ...any)  { g.l.Warn(msg, args...) }

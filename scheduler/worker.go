package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// WorkerOptions configure a Worker. Zero values mean the defaults.
type WorkerOptions struct {
	// ID names the worker in task instances and the workers table
	// (default "<hostname>-<pid>-<random>").
	ID string
	// Concurrency is how many attempts run at once (default 8).
	Concurrency int
	// Pools restricts the worker to these pools (default: every pool).
	Pools []string
	// PollInterval is the fallback poll when no NOTIFY arrives (default 1s, ±20% jitter).
	PollInterval time.Duration
	// HeartbeatInterval (default 5s) must be well under the scheduler's ReapAfter.
	HeartbeatInterval time.Duration
	// ShutdownGrace is how long Stop lets running attempts finish (default 30s).
	ShutdownGrace time.Duration
	Logger        *slog.Logger
	// Clock dates the worker's deadlines and claims (default: the store's).
	Clock Clock
}

// Worker claims ready task instances of the DAGs in its registry and runs
// them in-process, Concurrency at a time. Run any number of workers, in
// one process or on many machines: PostgreSQL hands each attempt to one.
type Worker struct {
	store *Store
	reg   *Registry
	opts  WorkerOptions
	host  string
	log   *slog.Logger

	ctx      context.Context // background work (heartbeats, listener)
	cancel   context.CancelFunc
	runCtx   context.Context // attempts; cancelled when the grace period ends
	runStop  context.CancelCauseFunc
	stopping chan struct{}
	// claimed closes when the claim loop has returned: from then on every
	// attempt this worker claimed is counted in tasks.
	claimed chan struct{}
	freed   chan struct{}
	lsn     *listener
	loops   sync.WaitGroup
	tasks   sync.WaitGroup

	mu       sync.Mutex
	inflight map[attemptKey]inflightAttempt
	started  bool
}

// inflightAttempt is an attempt this worker runs; since is when it was
// claimed, so a heartbeat answer older than the claim cannot cancel it.
type inflightAttempt struct {
	cancel context.CancelCauseFunc
	since  time.Time
}

type attemptKey struct {
	runID, taskID string
	try           int
}

// NewWorker prepares a worker; Start runs it.
func NewWorker(store *Store, reg *Registry, opts WorkerOptions) *Worker {
	host, _ := os.Hostname()
	if opts.ID == "" {
		opts.ID = fmt.Sprintf("%s-%d-%04x", host, os.Getpid(), int(randFloat()*0xffff))
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 5 * time.Second
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = store.clock
	}
	return &Worker{store: store, reg: reg, opts: opts, host: host, log: opts.Logger.With("worker", opts.ID),
		inflight: map[attemptKey]inflightAttempt{}}
}

// ID returns the worker's id.
func (w *Worker) ID() string { return w.opts.ID }

// Start registers the worker and starts claiming. It fails when the
// database schema is behind.
func (w *Worker) Start(ctx context.Context) error {
	if err := w.store.CheckSchema(ctx); err != nil {
		return err
	}
	if err := w.store.drv.RegisterWorker(ctx, WorkerInfo{WorkerID: w.opts.ID, Hostname: w.host, PID: os.Getpid(),
		Pools: w.opts.Pools, Concurrency: w.opts.Concurrency}); err != nil {
		return fmt.Errorf("register worker: %w", err)
	}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.runCtx, w.runStop = context.WithCancelCause(context.Background())
	w.stopping, w.claimed, w.freed = make(chan struct{}), make(chan struct{}), make(chan struct{}, 1)
	w.lsn = newListener(w.store.drv, driver.ChanTasks, w.log)
	w.mu.Lock()
	w.started = true
	w.mu.Unlock()
	w.loops.Add(3)
	go func() { defer w.loops.Done(); w.lsn.run(w.ctx) }()
	go func() { defer w.loops.Done(); w.heartbeatLoop() }()
	go func() { defer w.loops.Done(); defer close(w.claimed); w.claimLoop() }()
	w.log.Info("worker started", "concurrency", w.opts.Concurrency, "pools", w.opts.Pools)
	return nil
}

// Stop stops claiming, lets running attempts finish for ShutdownGrace (or
// until ctx ends), then cancels the rest and hands them back as
// up_for_retry without charging their retry budget.
func (w *Worker) Stop(ctx context.Context) error {
	w.mu.Lock()
	running := w.started
	w.started = false // a second Stop is a no-op
	w.mu.Unlock()
	if !running {
		return nil
	}
	close(w.stopping)
	grace := time.NewTimer(w.opts.ShutdownGrace)
	defer grace.Stop()
	// A claim in flight commits its attempts as running before launch
	// counts them in tasks: wait for the claim loop, or its attempts would
	// run on, unreported, after Stop returned. Past the grace, the claim
	// itself is cancelled.
	over := false
	select {
	case <-w.claimed:
	case <-grace.C:
		over = true
	case <-ctx.Done():
		over = true
	}
	if over {
		w.cancel()
		<-w.claimed
	}
	done := make(chan struct{})
	go func() { w.tasks.Wait(); close(done) }()
	if over {
		w.runStop(errShutdown)
	} else {
		select {
		case <-done:
		case <-grace.C:
			w.runStop(errShutdown)
		case <-ctx.Done():
			w.runStop(errShutdown)
		}
	}
	select {
	case <-done:
	case <-time.After(abandonAfter + 5*time.Second):
	}
	w.cancel()
	w.loops.Wait()
	bg, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err1 := w.store.drv.ReleaseQueued(bg, w.opts.ID)
	err2 := w.store.drv.StopWorker(bg, w.opts.ID)
	w.log.Info("worker stopped")
	return errors.Join(err1, err2)
}

func (w *Worker) isStopping() bool {
	select {
	case <-w.stopping:
		return true
	default:
		return false
	}
}

// claimLoop claims while slots are free: right after a task finishes (its
// successor is usually ready by then), on NOTIFY, and on a jittered poll.
func (w *Worker) claimLoop() {
	dagIDs := make([]string, 0)
	for _, d := range w.reg.DAGs() {
		dagIDs = append(dagIDs, d.ID)
	}
	for {
		if w.isStopping() {
			return
		}
		free := w.opts.Concurrency - w.active()
		if free > 0 && free < w.opts.Concurrency/4 {
			// Busy: give other attempts 2 ms to end so one claim takes several.
			w.coalesce()
			free = w.opts.Concurrency - w.active()
		}
		if free > 0 {
			claimed, err := w.claim(dagIDs, free)
			if err != nil && w.ctx.Err() == nil {
				w.log.Warn("claim failed", "err", err)
			}
			if err == nil && len(claimed) == free {
				continue
			}
		}
		t := time.NewTimer(jitter(w.opts.PollInterval))
		select {
		case <-w.stopping:
		case <-w.lsn.wake:
		case <-w.freed:
		case <-t.C:
		}
		t.Stop()
	}
}

// claim takes and starts up to n attempts, and launches them. It returns
// the attempts claimed.
func (w *Worker) claim(dagIDs []string, n int) ([]claimedTask, error) {
	claimed, err := w.store.claim(w.ctx, w.opts.ID, w.host, w.opts.Pools, dagIDs, n)
	if err != nil || len(claimed) == 0 {
		return claimed, err
	}
	for _, c := range claimed {
		w.launch(c)
	}
	return claimed, nil
}

func (w *Worker) coalesce() {
	t := time.NewTimer(2 * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-w.stopping:
	}
}

func (w *Worker) active() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.inflight)
}

func (w *Worker) wakeLater(d time.Duration) {
	time.AfterFunc(d, w.lsn.signal)
}

func (w *Worker) launch(c claimedTask) {
	key := attemptKey{c.RunID, c.TaskID, c.Try}
	actx, cancel := context.WithCancelCause(w.runCtx)
	w.mu.Lock()
	w.inflight[key] = inflightAttempt{cancel: cancel, since: w.opts.Clock.Now()}
	w.mu.Unlock()
	w.tasks.Add(1)
	go func() {
		defer w.tasks.Done()
		defer func() {
			w.mu.Lock()
			delete(w.inflight, key)
			w.mu.Unlock()
			cancel(nil)
			select {
			case w.freed <- struct{}{}:
			default:
			}
		}()
		w.execute(actx, c)
	}()
}

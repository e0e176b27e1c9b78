package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"time"

	"github.com/finpipe/finpipe/internal/logging"
)

func randFloat() float64 { return rand.Float64() }

// Causes of an attempt's context being cancelled by the engine.
var (
	errTimeout  = errors.New("timed out")
	errLost     = errors.New("attempt no longer held (marked, cleared or reaped)")
	errShutdown = errors.New("worker shut down before the task finished")
)

// abandonAfter is how long a task that ignores its cancelled context may
// keep running before the attempt is reported without it (its goroutine
// is then leaked: Go cannot stop it).
const abandonAfter = 2 * time.Second

// newTaskContext builds what a task body sees for an attempt.
func newTaskContext(c claimedTask, log *slog.Logger) *TaskContext {
	return &TaskContext{
		DAGID: c.DAGID, RunID: c.RunID, TaskID: c.TaskID,
		LogicalDate: c.Logical, DataIntervalStart: c.IntervalStart, DataIntervalEnd: c.IntervalEnd,
		Conf: c.Conf, Params: c.Params, TryNumber: c.Try, Log: log,
	}
}

// callTask runs fn, turning a panic into an error, and returns when fn
// does or shortly after ctx is cancelled, whichever comes first. A
// cancelled attempt returns the cancellation cause (e.g. "timed out after 2s").
func callTask(ctx context.Context, fn TaskFunc, tc *TaskContext) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		done <- fn(ctx, tc)
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		select {
		case err = <-done:
		case <-time.After(abandonAfter):
			err = fmt.Errorf("task ignored cancellation for %s and was abandoned", abandonAfter)
		}
	}
	if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
		if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return cause
		}
		return fmt.Errorf("%w: %v", cause, err)
	}
	return err
}

// withTimeout derives an attempt context that is cancelled with cause
// errTimeout ("timed out after D") when d > 0.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, fmt.Errorf("%w after %s", errTimeout, d))
}

// RunTaskTest runs one task in the foreground, as "airflow tasks test"
// does: no database, nothing recorded, the log goes to log. The logical
// date defaults to now; conf overrides params. The task's asset events
// and consumed offsets are checked as in a run and logged, not recorded.
func RunTaskTest(ctx context.Context, reg *Registry, dagID, taskID string, logical time.Time, conf map[string]any, log *slog.Logger) error {
	dag, task, err := reg.Task(dagID, taskID)
	if err != nil {
		return err
	}
	if logical.IsZero() {
		logical = time.Now().UTC()
	}
	tc := newTaskContext(testClaim(dag, taskID, logical, conf), log)
	tc.bindAssets(reg, task)
	actx, cancel := withTimeout(ctx, task.Opts.Timeout)
	defer cancel()
	err = callTask(logging.WithLogger(actx, log), task.Fn, tc)
	if err == nil {
		logOutputs(log, tc.Outputs())
	}
	return err
}

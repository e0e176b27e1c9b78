package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"runtime/trace"
	"time"

	"github.com/finpipe/finpipe/internal/logging"
	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// execute runs one claimed attempt and reports its end.
func (w *Worker) execute(ctx context.Context, c claimedTask) {
	log := w.log.With("run_id", c.RunID, "task_id", c.TaskID, "try", c.Try)
	w.store.metrics.ObserveClaim(c.ClaimedAt.Sub(c.ReadyAt))
	began := time.Now()
	var events []AssetEvent
	var consumed []driver.ConsumedOffset
	_, task, err := w.reg.Task(c.DAGID, c.TaskID)
	if err == nil {
		alog := newAttemptLog(w.store, c.RunID, c.TaskID, c.Try, func(err error) { log.Warn("storing task log failed", "err", err) })
		// The attempt's lines go to PostgreSQL and to the process log with
		// the attempt's attributes; task bodies reach the same logger
		// through logging.FromContext.
		proc := logging.ForAttempt(w.opts.Logger, c.DAGID, c.RunID, c.TaskID, c.Try)
		tlog := slog.New(slog.NewMultiHandler(alog.Handler(), proc.Handler()))
		actx, cancel := withTimeout(ctx, c.Timeout)
		tc := newTaskContext(c, tlog)
		tc.bindAssets(w.reg, task)
		// An execution trace (`go tool trace`) shows each attempt as a
		// user task, so idle cores and handoffs line up with the steps.
		tctx, span := trace.NewTask(logging.WithLogger(actx, tlog), c.DAGID+"."+c.TaskID)
		err = callTask(tctx, task.Fn, tc)
		span.End()
		cancel()
		if err == nil {
			events, consumed = tc.outputs.take()
		}
		if err != nil {
			tlog.Error("attempt failed", "err", err)
		}
		alog.Close()
	}
	end := attemptEnd{RunID: c.RunID, TaskID: c.TaskID, Try: c.Try, From: []TaskState{TaskRunning}, To: TaskSuccess,
		Leaf: len(c.Downstream) == 0, Downstream: c.Downstream, DAGID: c.DAGID, Events: events, Consumed: consumed}
	switch {
	case errors.Is(err, errLost):
		return // someone else owns the task now; our report would be fenced off anyway
	case errors.Is(err, errShutdown):
		end.To, end.Error, end.GiveBack = TaskUpForRetry, err.Error(), 1
	case err != nil:
		end.To, end.RetryIn = retryOf(c).afterFailure(c.Try)
		end.Error = err.Error()
	}
	w.store.metrics.ObserveTask(c.DAGID, c.TaskID, string(end.To), time.Since(began))
	var ok bool
	trace.WithRegion(ctx, "report", func() { ok, err = w.report(end) })
	if err != nil {
		log.Error("reporting attempt failed; the reaper will retry it once this worker stops", "err", err)
	} else if !ok {
		log.Info("attempt report fenced off: a newer attempt or a manual change won")
	}
	if end.To == TaskUpForRetry {
		w.wakeLater(end.RetryIn)
	}
}

// reportTimeout bounds how long a worker keeps retrying an attempt's report
// (a database restart, a deadlock victim): an unreported attempt would stay
// running for as long as this worker heartbeats.
const reportTimeout = 2 * time.Minute

// report records an attempt's end, retrying transient failures with
// backoff. The try number makes a repeated report harmless.
func (w *Worker) report(end attemptEnd) (bool, error) {
	deadline := w.opts.Clock.Now().Add(reportTimeout)
	delay := 50 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		ok, err := w.store.finishAttempt(ctx, end)
		cancel()
		if err == nil || w.opts.Clock.Now().Add(delay).After(deadline) {
			return ok, err
		}
		w.log.Warn("reporting attempt failed; retrying", "run_id", end.RunID, "task_id", end.TaskID, "err", err, "in", delay)
		time.Sleep(delay)
		if delay < 5*time.Second {
			delay *= 2
		}
	}
}

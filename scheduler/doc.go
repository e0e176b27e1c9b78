// Package scheduler is FinPipe's Airflow-style orchestrator: DAGs defined in
// Go, runs and task instances kept in PostgreSQL, a scheduler that creates
// runs from schedules, and workers that claim and run tasks.
//
// # Defining DAGs
//
//	d := scheduler.NewDAG("example_etl", scheduler.DAGOptions{Schedule: "* * * * *", MaxActiveRuns: 1})
//	d.Task("extract", extract, scheduler.TaskOptions{Retries: 3, RetryDelay: time.Second, ExponentialBackoff: true})
//	d.Task("load", load, scheduler.TaskOptions{Upstream: []string{"extract"}, Timeout: time.Minute})
//	reg, err := scheduler.NewRegistry(d) // validates: cycles, unknown upstream, duplicate ids → ErrInvalid
//
// A task body is a TaskFunc: func(ctx, *TaskContext) error. TaskContext
// carries the run id, logical date, data interval, conf, params, try number
// and a *slog.Logger whose lines are stored as the attempt's log. To call a
// body in a test, build its context with NewTaskContext(reg, dagID, taskID):
// EmitAssetEvent and Consumed are checked as in a run and collected
// (TaskContext.Outputs); on a struct literal they fail with ErrNoAttempt.
// RunTaskTest runs a task as "airflow tasks test" does.
//
// # Running
//
//	store, _ := scheduler.Open(ctx, databaseURL)      // PostgreSQL through the pgstore driver
//	store.Migrate(ctx)                                // or "finpipe migrate up"
//	sch := scheduler.NewScheduler(store, reg, scheduler.SchedulerOptions{})
//	wrk := scheduler.NewWorker(store, reg, scheduler.WorkerOptions{Concurrency: 8})
//	sch.Start(ctx); wrk.Start(ctx) ... wrk.Stop(ctx); sch.Stop(ctx)
//
// Scheduler.Start refuses a database whose schema is behind, syncs the
// registry's DAG definitions into PostgreSQL (so the web process lists DAGs
// and triggers runs without the Go objects), then ticks schedules with
// gocron (a Postgres advisory-lock Locker keeps two schedulers from doing
// the same tick) and sweeps on LISTEN/NOTIFY or a jittered poll. Workers
// claim ready tasks with one UPDATE … FOR UPDATE SKIP LOCKED statement that
// honours pools and max_active_tasks, run them, heartbeat, and report the
// end in a transaction that also schedules the downstream tasks, so a
// successor starts milliseconds after its upstream ends.
//
// # The storage seam
//
// The engine (Scheduler, Worker, the reaper, backfills, the operator API
// below) sees the database only through internal/driver's interfaces, as
// River's client sees riverdriver: one method per statement or round trip,
// every decision (trigger rules, retries, which dates a backfill creates)
// made here. The PostgreSQL driver, package pgstore, holds every SQL
// statement and turns PostgreSQL's errors into ErrNotFound, ErrConflict and
// ErrInvalid; drivertest's conformance suite checks a driver on its own.
// The records both sides exchange (DagRun, TaskInstance, …) live in
// internal/model and are re-exported here under the same names.
//
// # The API the web layer calls (methods on *Store)
//
// DAGs: ListDAGs, GetDAG (with tasks), PauseDAG.
// Runs: TriggerRun(dagID, TriggerOptions{RunID, LogicalDate, Conf}),
// ListRuns(RunFilter{DAGID, State, From, To, Cursor, Limit}) → RunPage,
// GetRun, ClearRun(runID, onlyFailed), MarkRun(runID, success|failed).
// Tasks: ListTaskInstances(runID), GetTaskInstance(runID, taskID) with every
// Attempt (try, state, start, end, duration, error, hostname),
// AttemptLog(runID, taskID, try, afterLine, limit), ClearTask(runID, taskID,
// downstream), MarkTask(runID, taskID, success|failed|skipped).
// Backfills: CreateBackfill(BackfillRequest{DAGID, From, To, Reprocess,
// MaxActiveRuns, RunBackwards, Conf, DryRun}) → BackfillResult (the dates and
// what happens at each), GetBackfill, ListBackfills, PauseBackfill,
// UnpauseBackfill, CancelBackfill. One active backfill per DAG.
// Pools and workers: ListPools (slots and occupancy), SetPool, ListWorkers.
//
// Run ids are unique across DAGs ("<dag>__<type>__<logical date>" unless
// given), so one id names a run. Errors wrap ErrNotFound, ErrConflict or
// ErrInvalid (→ HTTP 404, 409, 400).
//
// # Semantics
//
// States, allowed transitions and trigger rules are in statemachine.go.
// Runs are created persistence-first and idempotently (unique dag_id +
// logical_date; run and task rows in one transaction), queued, and started
// by the scheduler within max_active_runs. A claim moves an attempt to
// queued with try_number+1 and, in the same transaction, the claiming worker
// moves it from queued to running (one commit per claim instead of two); the
// worker reports the attempt's end only for that try (the fencing token), so
// a worker that lost its lease cannot overwrite a newer attempt. Attempts of
// a worker that stops heartbeating for SchedulerOptions.ReapAfter are
// reaped; a worker's heartbeat also tells it which attempts it no longer
// holds (marked or cleared by hand) so it cancels them. Failed attempts retry after
// RetryDelay (exponential backoff with ±25% jitter, capped by
// MaxRetryDelay); Timeout cancels the attempt's context; a worker that stops
// heartbeating (SIGKILL) has its attempts reaped to up_for_retry or failed.
// Clear gives a task and its downstream a fresh retry budget (a queued or
// running task cannot be cleared: it would run twice at once); mark sets a
// state by hand. Worker.Stop stops claiming, lets running attempts finish
// within ShutdownGrace, then hands the rest back without charging a retry.
package scheduler

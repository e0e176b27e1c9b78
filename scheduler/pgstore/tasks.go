package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

func scanTI(row pgx.Row) (model.TaskInstance, error) {
	var t model.TaskInstance
	err := row.Scan(&t.RunID, &t.DAGID, &t.TaskID, &t.State, &t.TryNumber, &t.MaxTries, &t.Upstream,
		&t.Downstream, &t.Pool, &t.TriggerRule, &t.ReadyAt, &t.QueuedAt, &t.StartDate, &t.EndDate,
		&t.Hostname, &t.Error)
	t.Duration = durPtr(t.StartDate, t.EndDate)
	return t, err
}

func (e executor) ListTaskInstances(ctx context.Context, runID string) ([]model.TaskInstance, error) {
	rows, err := e.q.Query(ctx, sqlListTIs, runID)
	return collect(rows, err, scanTI)
}

func (e executor) GetTaskInstance(ctx context.Context, runID, taskID string) (model.TaskInstance, error) {
	t, err := scanTI(e.q.QueryRow(ctx, sqlGetTI, runID, taskID))
	return t, notFound(err, "task %q in run %q", taskID, runID)
}

func (e executor) ListAttempts(ctx context.Context, runID, taskID string) ([]model.Attempt, error) {
	rows, err := e.q.Query(ctx, sqlListAttempts, runID, taskID)
	return collect(rows, err, func(r pgx.Row) (model.Attempt, error) {
		var a model.Attempt
		err := r.Scan(&a.TryNumber, &a.State, &a.StartDate, &a.EndDate, &a.Hostname, &a.Error)
		a.Duration = durPtr(a.StartDate, &a.EndDate)
		return a, err
	})
}

func (e executor) ClearTaskInstances(ctx context.Context, runID string, taskIDs []string) (int64, error) {
	return e.exec(ctx, sqlClearTIs, runID, nonNil(taskIDs))
}

func (e executor) MarkTaskInstance(ctx context.Context, runID, taskID string, st model.TaskState) error {
	_, err := e.exec(ctx, sqlMarkTI, runID, taskID, string(st))
	return err
}

func (e executor) MarkRunTaskInstances(ctx context.Context, runID string, st model.RunState) error {
	_, err := e.exec(ctx, sqlMarkRunTIs, runID, string(st))
	return err
}

func scanWaiting(r pgx.Row) (driver.WaitingTask, error) {
	var w driver.WaitingTask
	err := r.Scan(&w.TaskID, &w.Rule, &w.Total, &w.Done, &w.Success, &w.Failed, &w.Skipped, &w.Downstream)
	return w, err
}

func (e executor) RecountUpstream(ctx context.Context, runID string) ([]driver.WaitingTask, error) {
	rows, err := e.q.Query(ctx, sqlRecountUpstream, runID)
	return collect(rows, err, scanWaiting)
}

func bumpArgs(runID string, b driver.Bump) []any {
	return []any{runID, nonNil(b.Downstream), b.Success, b.Failed, b.Skipped}
}

func (e executor) BumpDownstream(ctx context.Context, runID string, b driver.Bump) ([]driver.WaitingTask, error) {
	rows, err := e.q.Query(ctx, sqlBumpDownstream, bumpArgs(runID, b)...)
	return collect(rows, err, scanWaiting)
}

func (e executor) DecideTaskInstances(ctx context.Context, runID string, taskIDs []string, states []model.TaskState) error {
	st := make([]string, len(states))
	scheduled := false
	for i, s := range states {
		st[i] = string(s)
		scheduled = scheduled || s == model.TaskScheduled
	}
	b := &pgx.Batch{}
	b.Queue(sqlDecideTIs, runID, taskIDs, st)
	if scheduled {
		b.Queue(sqlNotify, driver.ChanTasks, "") // delivered at commit
	}
	return fail(e.q.SendBatch(ctx, b).Close())
}

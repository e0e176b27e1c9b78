package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

// syncTask is the JSON shape sqlInsertDAGTasks reads.
type syncTask struct {
	TaskID             string   `json:"task_id"`
	Ordinal            int      `json:"ordinal"`
	Upstream           []string `json:"upstream"`
	Downstream         []string `json:"downstream"`
	Retries            int      `json:"retries"`
	RetryDelayMS       int64    `json:"retry_delay_ms"`
	MaxRetryDelayMS    int64    `json:"max_retry_delay_ms"`
	ExponentialBackoff bool     `json:"exponential_backoff"`
	TimeoutMS          int64    `json:"timeout_ms"`
	Pool               string   `json:"pool"`
	TriggerRule        string   `json:"trigger_rule"`
}

func (e executor) DeactivateDAGsExcept(ctx context.Context, ids []string) error {
	_, err := e.exec(ctx, sqlDeactivateOtherDAGs, nonNil(ids))
	return err
}

func (e executor) UpsertDAG(ctx context.Context, d driver.DAGDef) error {
	params, err := encodeObject(d.Params, fmt.Sprintf("DAG %q params", d.DAGID))
	if err != nil {
		return err
	}
	_, err = e.exec(ctx, sqlUpsertDAG, d.DAGID, d.Description, d.Schedule, d.StartDate, d.Catchup,
		d.MaxActiveRuns, d.MaxActiveTasks, params, nonNil(d.Tags))
	return err
}

func (e executor) ReplaceDAGTasks(ctx context.Context, dagID string, tasks []driver.TaskDef) error {
	rows := make([]syncTask, len(tasks))
	for i, t := range tasks {
		rows[i] = syncTask{TaskID: t.TaskID, Ordinal: i, Upstream: nonNil(t.Upstream), Downstream: nonNil(t.Downstream),
			Retries: t.Retries, RetryDelayMS: ms(t.RetryDelay), MaxRetryDelayMS: ms(t.MaxRetryDelay),
			ExponentialBackoff: t.ExponentialBackoff, TimeoutMS: ms(t.Timeout), Pool: t.Pool, TriggerRule: string(t.TriggerRule)}
	}
	js, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	if _, err := e.exec(ctx, sqlDeleteDAGTasks, dagID); err != nil {
		return err
	}
	_, err = e.exec(ctx, sqlInsertDAGTasks, dagID, js)
	return err
}

func (e executor) EnsurePools(ctx context.Context, names []string) error {
	_, err := e.exec(ctx, sqlEnsurePools, nonNil(names))
	return err
}

func scanDAG(row pgx.Row) (model.DAGInfo, error) {
	var d model.DAGInfo
	var params []byte
	err := row.Scan(&d.DAGID, &d.Description, &d.Schedule, &d.StartDate, &d.Catchup, &d.MaxActiveRuns,
		&d.MaxActiveTasks, &params, &d.Tags, &d.IsPaused, &d.IsActive, &d.AssetCondition)
	if err != nil {
		return d, err
	}
	d.StartDate = d.StartDate.UTC()
	d.Params, err = decodeObject(params, fmt.Sprintf("params of DAG %q", d.DAGID))
	return d, err
}

func (e executor) ListDAGs(ctx context.Context) ([]model.DAGInfo, error) {
	rows, err := e.q.Query(ctx, sqlListDAGs)
	return collect(rows, err, scanDAG)
}

func (e executor) GetDAG(ctx context.Context, dagID string) (model.DAGInfo, error) {
	d, err := scanDAG(e.q.QueryRow(ctx, sqlGetDAG, dagID))
	return d, notFound(err, "DAG %q", dagID)
}

func (e executor) ListDAGTasks(ctx context.Context, dagID string) ([]model.TaskInfo, error) {
	rows, err := e.q.Query(ctx, sqlListDAGTasks, dagID)
	return collect(rows, err, func(r pgx.Row) (model.TaskInfo, error) {
		var t model.TaskInfo
		var delay, maxDelay, timeout int64
		err := r.Scan(&t.TaskID, &t.Upstream, &t.Downstream, &t.Retries, &delay, &maxDelay,
			&t.ExponentialBackoff, &timeout, &t.Pool, &t.TriggerRule)
		t.RetryDelay = model.Duration(fromMS(delay))
		t.MaxRetryDelay = model.Duration(fromMS(maxDelay))
		t.Timeout = model.Duration(fromMS(timeout))
		return t, err
	})
}

func (e executor) PauseDAG(ctx context.Context, dagID string, paused bool) error {
	n, err := e.exec(ctx, sqlPauseDAG, dagID, paused)
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: DAG %q", driver.ErrNotFound, dagID)
	}
	return err
}

func (e executor) DAGRunStats(ctx context.Context, dagID string) (driver.RunStats, error) {
	var s driver.RunStats
	err := e.q.QueryRow(ctx, sqlDAGRunStats, dagID).Scan(&s.Paused, &s.LastScheduled, &s.Active)
	s.LastScheduled = timePtrUTC(s.LastScheduled)
	return s, notFound(err, "DAG %q", dagID)
}

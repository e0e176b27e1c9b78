package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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

// SyncDAGs writes the registry's DAG definitions into PostgreSQL so any
// process (web, another scheduler) can list DAGs and create runs without the
// Go objects. Pause flags survive; pools that tasks name are created with
// 128 slots if missing. Runs already created keep the tasks they had.
func (s *Store) SyncDAGs(ctx context.Context, reg *Registry) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlAdvisoryXactLock, lockSync); err != nil {
			return err
		}
		var ids []string
		for _, d := range reg.DAGs() {
			ids = append(ids, d.ID)
		}
		if _, err := tx.Exec(ctx, sqlDeactivateOtherDAGs, ids); err != nil {
			return err
		}
		for _, d := range reg.DAGs() {
			o := d.Opts
			params, err := json.Marshal(o.Params)
			if err != nil {
				return fmt.Errorf("%w: DAG %q params: %v", ErrInvalid, d.ID, err)
			}
			tags := o.Tags
			if tags == nil {
				tags = []string{}
			}
			if _, err := tx.Exec(ctx, sqlUpsertDAG, d.ID, o.Description, o.Schedule, o.StartDate, o.Catchup,
				o.MaxActiveRuns, o.MaxActiveTasks, params, tags); err != nil {
				return err
			}
			var rows []syncTask
			var pools []string
			downstream := d.downstreamAll()
			for i, t := range d.Tasks() {
				up := t.Opts.Upstream
				if up == nil {
					up = []string{}
				}
				down := downstream[t.ID]
				if down == nil {
					down = []string{}
				}
				rows = append(rows, syncTask{
					TaskID: t.ID, Ordinal: i, Upstream: up, Downstream: down, Retries: t.Opts.Retries,
					RetryDelayMS: t.Opts.RetryDelay.Milliseconds(), MaxRetryDelayMS: t.Opts.MaxRetryDelay.Milliseconds(),
					ExponentialBackoff: t.Opts.ExponentialBackoff, TimeoutMS: t.Opts.Timeout.Milliseconds(),
					Pool: t.Opts.Pool, TriggerRule: string(t.Opts.TriggerRule),
				})
				pools = append(pools, t.Opts.Pool)
			}
			js, err := json.Marshal(rows)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, sqlDeleteDAGTasks, d.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, sqlInsertDAGTasks, d.ID, js); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, sqlEnsurePools, pools); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanDAG(row pgx.Row) (DAGInfo, error) {
	var d DAGInfo
	var params []byte
	err := row.Scan(&d.DAGID, &d.Description, &d.Schedule, &d.StartDate, &d.Catchup, &d.MaxActiveRuns,
		&d.MaxActiveTasks, &params, &d.Tags, &d.IsPaused, &d.IsActive)
	if err != nil {
		return d, err
	}
	d.Params = map[string]any{}
	_ = json.Unmarshal(params, &d.Params)
	d.StartDate = d.StartDate.UTC()
	if sch, err := ParseSchedule(d.Schedule); err == nil && !sch.IsNone() {
		next := sch.Next(time.Now().Add(-time.Nanosecond))
		if l, ok := sch.Latest(d.StartDate, time.Now()); ok {
			next = sch.Next(l)
		}
		if next.Before(d.StartDate) {
			next = sch.firstAtOrAfter(d.StartDate)
		}
		d.NextLogicalDate = &next
	}
	return d, nil
}

// ListDAGs returns every synced DAG with its last run, sorted by id.
func (s *Store) ListDAGs(ctx context.Context) ([]DAGInfo, error) {
	rows, err := s.db.Query(ctx, sqlListDAGs)
	out, err := collect(rows, err, scanDAG)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].LastRun, err = s.lastRun(ctx, out[i].DAGID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) lastRun(ctx context.Context, dagID string) (*DagRun, error) {
	r, err := scanRun(s.db.QueryRow(ctx, sqlLastRunOfDAG, dagID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// GetDAG returns one DAG with its tasks and last run.
func (s *Store) GetDAG(ctx context.Context, dagID string) (DAGInfo, error) {
	d, err := one(s.db.QueryRow(ctx, sqlGetDAG, dagID), scanDAG, "DAG %q", dagID)
	if err != nil {
		return d, err
	}
	rows, err := s.db.Query(ctx, sqlListDAGTasks, dagID)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var t TaskInfo
		var delay, maxDelay, timeout int64
		if err := rows.Scan(&t.TaskID, &t.Upstream, &t.Downstream, &t.Retries, &delay, &maxDelay,
			&t.ExponentialBackoff, &timeout, &t.Pool, &t.TriggerRule); err != nil {
			return d, err
		}
		t.RetryDelay = Duration(time.Duration(delay) * time.Millisecond)
		t.MaxRetryDelay = Duration(time.Duration(maxDelay) * time.Millisecond)
		t.Timeout = Duration(time.Duration(timeout) * time.Millisecond)
		d.Tasks = append(d.Tasks, t)
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	d.LastRun, err = s.lastRun(ctx, dagID)
	return d, err
}

// PauseDAG pauses (or unpauses) a DAG: a paused DAG gets no new scheduled
// runs and starts no new tasks; running attempts finish.
func (s *Store) PauseDAG(ctx context.Context, dagID string, paused bool) error {
	tag, err := s.db.Exec(ctx, sqlPauseDAG, dagID, paused)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: DAG %q", ErrNotFound, dagID)
	}
	if !paused {
		_ = notify(ctx, s.db, chanScheduler)
		_ = notify(ctx, s.db, chanTasks)
	}
	return nil
}

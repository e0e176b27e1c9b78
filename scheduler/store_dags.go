package scheduler

import (
	"context"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// SyncDAGs writes the registry's DAG definitions into the database so any
// process (web, another scheduler) can list DAGs and create runs without the
// Go objects. Pause flags survive; pools that tasks name are created with
// 128 slots if missing. Runs already created keep the tasks they had.
func (s *Store) SyncDAGs(ctx context.Context, reg *Registry) error {
	if err := reg.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx driver.Executor) error {
		if err := tx.XactLock(ctx, driver.LockSync); err != nil {
			return err
		}
		if err := tx.UpsertAssets(ctx, reg.Assets()); err != nil {
			return err
		}
		var ids []string
		for _, d := range reg.DAGs() {
			ids = append(ids, d.ID)
		}
		if err := tx.DeactivateDAGsExcept(ctx, ids); err != nil {
			return err
		}
		for _, d := range reg.DAGs() {
			o := d.Opts
			if err := tx.UpsertDAG(ctx, driver.DAGDef{DAGID: d.ID, Description: o.Description, Schedule: o.Schedule,
				StartDate: o.StartDate, Catchup: o.Catchup, MaxActiveRuns: o.MaxActiveRuns,
				MaxActiveTasks: o.MaxActiveTasks, Params: o.Params, Tags: o.Tags}); err != nil {
				return err
			}
			var defs []driver.TaskDef
			var pools []string
			downstream := d.downstreamAll()
			for _, t := range d.Tasks() {
				defs = append(defs, driver.TaskDef{
					TaskID: t.ID, Upstream: t.Opts.Upstream, Downstream: downstream[t.ID], Retries: t.Opts.Retries,
					RetryDelay: t.Opts.RetryDelay, MaxRetryDelay: t.Opts.MaxRetryDelay,
					ExponentialBackoff: t.Opts.ExponentialBackoff, Timeout: t.Opts.Timeout,
					Pool: t.Opts.Pool, TriggerRule: t.Opts.TriggerRule,
				})
				pools = append(pools, t.Opts.Pool)
			}
			if err := tx.ReplaceDAGTasks(ctx, d.ID, defs); err != nil {
				return err
			}
			if err := tx.EnsurePools(ctx, pools); err != nil {
				return err
			}
			if err := syncDAGAssets(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// withNextDate fills NextLogicalDate: the logical date of the next
// scheduled run, after the latest complete interval (nil when unscheduled).
func (s *Store) withNextDate(d DAGInfo) DAGInfo {
	sch, err := parseSchedule(d.Schedule)
	if err != nil || sch.isNone() {
		return d
	}
	now := s.clock.Now()
	next := sch.Next(now.Add(-time.Nanosecond))
	if l, ok := sch.latest(d.StartDate, now); ok {
		next = sch.Next(l)
	}
	if next.Before(d.StartDate) {
		next = sch.firstAtOrAfter(d.StartDate)
	}
	d.NextLogicalDate = &next
	return d
}

// ListDAGs returns every synced DAG with its last run, sorted by id.
func (s *Store) ListDAGs(ctx context.Context) ([]DAGInfo, error) {
	out, err := s.drv.ListDAGs(ctx)
	if err != nil {
		return nil, err
	}
	assets, err := s.drv.DAGAssets(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Assets = nonNilStrings(assets[out[i].DAGID])
		out[i] = s.withNextDate(out[i])
		if out[i].LastRun, err = s.drv.LastRun(ctx, out[i].DAGID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetDAG returns one DAG with its tasks and last run.
func (s *Store) GetDAG(ctx context.Context, dagID string) (DAGInfo, error) {
	d, err := s.drv.GetDAG(ctx, dagID)
	if err != nil {
		return d, err
	}
	d = s.withNextDate(d)
	assets, err := s.drv.DAGAssets(ctx)
	if err != nil {
		return d, err
	}
	d.Assets = nonNilStrings(assets[dagID])
	tasks, err := s.drv.ListDAGTasks(ctx, dagID)
	if err != nil {
		return d, err
	}
	if len(tasks) > 0 {
		d.Tasks = tasks
	}
	d.LastRun, err = s.drv.LastRun(ctx, dagID)
	return d, err
}

// PauseDAG pauses (or unpauses) a DAG: a paused DAG gets no new scheduled
// runs and starts no new tasks; running attempts finish.
func (s *Store) PauseDAG(ctx context.Context, dagID string, paused bool) error {
	if err := s.drv.PauseDAG(ctx, dagID, paused); err != nil {
		return err
	}
	if !paused {
		_ = s.drv.Notify(ctx, driver.ChanScheduler)
		_ = s.drv.Notify(ctx, driver.ChanTasks)
	}
	return nil
}

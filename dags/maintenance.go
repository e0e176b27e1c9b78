package dags

import (
	"context"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/maintenance"
)

// LakeMaintenanceDAG is the lake's housekeeping DAG.
const LakeMaintenanceDAG = "lake_maintenance"

// vacuumDay is the weekday whose partitions' optimize run also vacuums:
// the run that starts early on Monday, when traffic is lowest.
const vacuumDay = time.Sunday

// LakeMaintenance compacts, every day, yesterday's partition of every lake
// table (the micro-batches of a whole day leave many small files in it),
// and once a week vacuums every table with Delta's 7-day retention, after
// the compaction so that the next week's vacuum deletes what it replaced.
// Conf may name the days to compact, {"dates": ["2026-03-01"]}, and force
// or prevent the vacuum, {"vacuum": true}.
func LakeMaintenance(p Pipeline) *scheduler.DAG {
	d := scheduler.NewDAG(LakeMaintenanceDAG, scheduler.DAGOptions{
		Schedule: "@daily", StartDate: DataStart(), MaxActiveRuns: 1,
		Description: "daily optimize of yesterday's partitions, weekly vacuum of every table",
		Tags:        []string{"maintenance"},
	})
	d.Task("optimize", p.optimizeTask, retried())
	d.Task("vacuum", p.vacuumTask, retried("optimize"))
	return d
}

// maintenanceDay is the day a run looks after: the day before its data
// interval ends, i.e. the day a scheduled @daily run covers, and yesterday
// for a manual run.
func maintenanceDay(tc *scheduler.TaskContext) time.Time {
	return lake.Date(tc.DataIntervalEnd.Add(-24 * time.Hour))
}

func (p Pipeline) optimizeTask(ctx context.Context, tc *scheduler.TaskContext) error {
	l, err := p.lake()
	if err != nil {
		return err
	}
	dates, err := confDates(tc, maintenanceDay(tc))
	if err != nil {
		return err
	}
	res, err := maintenance.Optimize(ctx, l, dates)
	for _, r := range res {
		if r.Version >= 0 {
			tc.Log.Info("optimized", "table", r.Table, "version", r.Version, "partitions", r.PartitionsOptimized,
				"files_removed", r.FilesRemoved, "files_added", r.FilesAdded, "rows", r.Rows)
		}
	}
	tc.Log.Info("optimize done", "dates", len(dates), "tables", len(res))
	return err
}

func (p Pipeline) vacuumTask(ctx context.Context, tc *scheduler.TaskContext) error {
	run := maintenanceDay(tc).Weekday() == vacuumDay
	if raw, ok := tc.Conf["vacuum"]; ok {
		forced, isBool := raw.(bool)
		if !isBool {
			return fmt.Errorf(`conf "vacuum" must be true or false, got %T`, raw)
		}
		run = forced
	}
	if !run {
		tc.Log.Info("vacuum runs weekly, for " + vacuumDay.String() + `'s run (or with conf {"vacuum": true}); nothing to do`)
		return nil
	}
	l, err := p.lake()
	if err != nil {
		return err
	}
	res, err := maintenance.Vacuum(ctx, l, delta.DefaultVacuumRetention)
	for _, r := range res {
		tc.Log.Info("vacuumed", "table", r.Table, "files_deleted", len(r.Files))
	}
	return err
}

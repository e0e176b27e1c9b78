package dags

import (
	"context"

	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/maintenance"
)

// LakeCompactionDAG is the DAG that keeps compaction up with the
// micro-batches.
const LakeCompactionDAG = "lake_compaction"

// LakeCompaction checks every minute whether any partition of any lake
// table has gathered enough small files (Pipeline.Compaction, see
// maintenance.CompactionPolicy) and compacts just those. At one
// micro-batch a second, the daily optimize of lake_maintenance would let
// today's partitions reach tens of thousands of files, which every reader
// and every checkpoint pays for; this keeps them to a few dozen. The check
// reads only the tables' logs, so a run with nothing due costs
// milliseconds and commits nothing. It runs on a clock, not on Bronze's
// and Silver's asset events, on purpose: those arrive with every
// micro-batch (several a second under a steady producer), so a DAG on them
// would queue a compaction check after nearly every medallion run and
// double the runs PostgreSQL keeps, while 32 small files take at least
// that many batches to gather. The task does not care who triggers it.
func LakeCompaction(p Pipeline) *scheduler.DAG {
	d := scheduler.NewDAG(LakeCompactionDAG, scheduler.DAGOptions{
		Schedule: "@every 1m", StartDate: DataStart(), MaxActiveRuns: 1,
		Description: "compact the partitions that have gathered many small files (checked every minute)",
		Tags:        []string{"maintenance"},
	})
	d.Task("compact", p.compactTask, retried())
	return d
}

func (p Pipeline) compactTask(ctx context.Context, tc *scheduler.TaskContext) error {
	l, err := p.lake()
	if err != nil {
		return err
	}
	res, err := maintenance.Compact(ctx, l, p.Compaction)
	for _, r := range res {
		for _, d := range r.Due {
			tc.Log.Info("due", "table", r.Table, "partition", d.Values, "small_files", d.SmallFiles, "small_bytes", d.SmallBytes)
		}
		tc.Log.Info("compacted", "table", r.Table, "version", r.Version, "partitions", r.PartitionsOptimized,
			"files_removed", r.FilesRemoved, "files_added", r.FilesAdded, "rows", r.Rows)
	}
	if err == nil && len(res) == 0 {
		tc.Log.Info("no partition due for compaction")
	}
	return err
}

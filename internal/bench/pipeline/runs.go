package pipeline

import (
	"context"
	"strings"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/scheduler"
)

// RunTimes split the drain's wall time, from the task instances' and
// runs' own timestamps, into the steps' work and the orchestration around
// it.
type RunTimes struct {
	Runs int `json:"runs"`
	// StepsSeconds is, summed over runs, the critical path of task work:
	// the slowest ingest task, then clean, then aggregate.
	StepsSeconds float64 `json:"steps_seconds"`
	// SchedulingSeconds is the rest of the runs' time, started to ended:
	// claims, the hand-offs between tasks and finishing the run.
	SchedulingSeconds float64 `json:"scheduling_seconds"`
	// BetweenRunsSeconds is the drain's time outside any run: measuring
	// the lag, noticing a run ended, triggering and starting the next.
	BetweenRunsSeconds float64 `json:"between_runs_seconds"`
	// Tasks are the busy seconds and attempts per task (ingest groups
	// together).
	Tasks map[string]TaskTimes `json:"tasks"`
}

// TaskTimes are one task's attempts over the drain.
type TaskTimes struct {
	Runs        int     `json:"runs"`
	BusySeconds float64 `json:"busy_seconds"`
}

// timeRuns reads every run of the medallion DAG and their task instances
// back from the (throw-away) database: the runs the benchmark triggered
// and the one its cron schedule created at start, which drained the
// backlog just the same.
func timeRuns(ctx context.Context, store *scheduler.Store, elapsed time.Duration) (RunTimes, error) {
	runs, err := allRuns(ctx, store, dags.MedallionDAG)
	if err != nil {
		return RunTimes{}, err
	}
	t := RunTimes{Runs: len(runs), Tasks: map[string]TaskTimes{}}
	var inRuns float64 // max_active_runs is 1: runs do not overlap
	for _, run := range runs {
		if run.StartDate != nil && run.EndDate != nil {
			inRuns += run.EndDate.Sub(*run.StartDate).Seconds()
		}
		tis, err := store.ListTaskInstances(ctx, run.RunID)
		if err != nil {
			return t, err
		}
		var ingest, rest float64
		for _, ti := range tis {
			if ti.Duration == nil {
				continue
			}
			name := ti.TaskID
			if strings.HasPrefix(name, "ingest") {
				name, ingest = "ingest", max(ingest, *ti.Duration)
			} else {
				rest += *ti.Duration
			}
			tt := t.Tasks[name]
			tt.Runs++
			tt.BusySeconds += *ti.Duration
			t.Tasks[name] = tt
		}
		t.StepsSeconds += ingest + rest
	}
	t.SchedulingSeconds = inRuns - t.StepsSeconds
	t.BetweenRunsSeconds = elapsed.Seconds() - inRuns
	return t, nil
}

// allRuns lists every run of dagID, page by page.
func allRuns(ctx context.Context, store *scheduler.Store, dagID string) ([]scheduler.DagRun, error) {
	var runs []scheduler.DagRun
	f := scheduler.RunFilter{DAGID: dagID, Limit: 500}
	for {
		page, err := store.ListRuns(ctx, f)
		if err != nil {
			return nil, err
		}
		runs = append(runs, page.Runs...)
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			return runs, nil
		}
	}
}

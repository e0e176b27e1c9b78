package dags

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
)

// fixedClock is a scheduler clock stopped at one instant.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// TestPipelineDAGsStartOnAFixedDate checks that the pipeline DAGs' start
// date does not depend on when the process started.
func TestPipelineDAGsStartOnAFixedDate(t *testing.T) {
	t.Parallel()
	for _, d := range Pipelines(Pipeline{}) {
		if !d.Opts.StartDate.Equal(DataStart()) {
			t.Errorf("%s starts at %s, want %s", d.ID, d.Opts.StartDate, DataStart())
		}
	}
}

// TestGoldDailyCatchesUpAcrossRestarts runs the scheduler over the shipped
// DAGs against PostgreSQL, stops it, and starts a fresh process's registry
// and scheduler two days later: gold_daily then has one run for every day
// since DataStart, none missed over the downtime and none twice.
func TestGoldDailyCatchesUpAcrossRestarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := scheduler.Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	day := 24 * time.Hour
	start := func(now time.Time, wantRuns int) {
		t.Helper()
		reg, err := Registry(Pipeline{}) // a new process: DAGs defined afresh
		if err != nil {
			t.Fatal(err)
		}
		if err := store.SyncDAGs(ctx, reg); err != nil {
			t.Fatal(err)
		}
		sch := scheduler.NewScheduler(store, reg, scheduler.SchedulerOptions{Logger: quiet, Clock: fixedClock(now)})
		if err := sch.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer sch.Stop(ctx)
		// No worker runs: the runs stay active, so max_active_runs (4) bounds
		// what each start may create, and the counts are exact.
		deadline := time.Now().Add(30 * time.Second)
		for {
			page, err := store.ListRuns(ctx, scheduler.RunFilter{DAGID: GoldDailyDAG, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Runs) >= wantRuns || time.Now().After(deadline) {
				if len(page.Runs) != wantRuns {
					t.Fatalf("at %s gold_daily has %d runs, want %d", now, len(page.Runs), wantRuns)
				}
				for i, r := range page.Runs { // newest first
					if want := DataStart().Add(time.Duration(wantRuns-1-i) * day); !r.LogicalDate.Equal(want) {
						t.Errorf("run %d: logical date %s, want %s", i, r.LogicalDate, want)
					}
				}
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	start(DataStart().Add(2*day+time.Hour), 2) // intervals of Nov 1 and Nov 2 are over
	start(DataStart().Add(4*day+time.Hour), 4) // restarted two days later
}

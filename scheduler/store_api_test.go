package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/migrations"
)

func TestSchedulerRefusesDatabaseBehind(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := NewDAG("x", DAGOptions{})
	d.Task("t", noop, TaskOptions{})
	err = NewScheduler(s, mustRegistry(t, d), SchedulerOptions{}).Start(ctx)
	if !errors.Is(err, migrations.ErrBehind) {
		t.Fatalf("start on an unmigrated database: %v", err)
	}
	if err := NewWorker(s, mustRegistry(t, d), WorkerOptions{}).Start(ctx); !errors.Is(err, migrations.ErrBehind) {
		t.Fatalf("worker start: %v", err)
	}
}

func TestOpenUnreachableDatabaseFailsClearly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://u:secret@127.0.0.1:1/db?connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "cannot reach database") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %v: want a clear message without the password", err)
	}
	if _, err := Open(ctx, "::not a url"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad URL: %v", err)
	}
}

func TestDAGListingTriggerAndPaging(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	d := NewDAG("listed", DAGOptions{Schedule: "@hourly", Description: "desc", Tags: []string{"t1"}, Params: map[string]any{"k": "v"}})
	d.Task("a", noop, TaskOptions{Retries: 2, Timeout: time.Minute})
	d.Task("b", noop, TaskOptions{Upstream: []string{"a"}, Pool: "small"})
	if err := s.SyncDAGs(ctx, mustRegistry(t, d)); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListDAGs(ctx)
	if err != nil || len(list) != 1 || list[0].Description != "desc" || list[0].Params["k"] != "v" || list[0].NextLogicalDate == nil {
		t.Fatalf("ListDAGs %+v %v", list, err)
	}
	info, err := s.GetDAG(ctx, "listed")
	if err != nil || len(info.Tasks) != 2 || info.Tasks[0].Downstream[0] != "b" || info.Tasks[1].Pool != "small" || info.Tasks[0].Retries != 2 {
		t.Fatalf("GetDAG %+v %v", info, err)
	}
	if _, err := s.GetDAG(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown DAG: %v", err)
	}
	other := NewDAG("other", DAGOptions{})
	other.Task("t", noop, TaskOptions{})
	if err := s.SyncDAGs(ctx, mustRegistry(t, other)); err != nil {
		t.Fatal(err)
	}
	if info, _ := s.GetDAG(ctx, "listed"); info.IsActive {
		t.Fatal("a DAG the last sync did not define should be inactive")
	}
	if err := s.SyncDAGs(ctx, mustRegistry(t, d)); err != nil {
		t.Fatal(err)
	}
	if err := s.PauseDAG(ctx, "listed", true); err != nil {
		t.Fatal(err)
	}
	if info, _ := s.GetDAG(ctx, "listed"); !info.IsPaused {
		t.Fatal("not paused")
	}
	base := mustTime("2026-05-01T00:00:00Z")
	for i := 0; i < 5; i++ {
		if _, err := s.TriggerRun(ctx, "listed", TriggerOptions{LogicalDate: base.Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.TriggerRun(ctx, "listed", TriggerOptions{LogicalDate: base}); !errors.Is(err, ErrConflict) {
		t.Fatalf("same logical date: %v", err)
	}
	if _, err := s.TriggerRun(ctx, "listed", TriggerOptions{RunID: "bad id!"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad run id: %v", err)
	}
	if _, err := s.TriggerRun(ctx, "nope", TriggerOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown DAG: %v", err)
	}
	var seen []string
	cursor := ""
	for {
		page, err := s.ListRuns(ctx, RunFilter{DAGID: "listed", Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Runs {
			seen = append(seen, r.RunID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged through %d runs, want 5", len(seen))
	}
	page, _ := s.ListRuns(ctx, RunFilter{State: RunQueued, From: base.Add(3 * time.Hour)})
	if len(page.Runs) != 2 || !page.Runs[0].LogicalDate.Equal(base.Add(4*time.Hour)) {
		t.Fatalf("filtered runs %+v", page.Runs)
	}
	if _, err := s.ListRuns(ctx, RunFilter{Cursor: "garbage"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad cursor: %v", err)
	}
	tis, err := s.ListTaskInstances(ctx, page.Runs[0].RunID)
	if err != nil || len(tis) != 2 || tis[0].State != TaskNone || tis[0].MaxTries != 2 {
		t.Fatalf("task instances %+v %v", tis, err)
	}
}

func TestMetricsSeeTasksAndRuns(t *testing.T) {
	ctx := context.Background()
	m := metrics.New()
	s, err := Open(ctx, testenv.Postgres(t), StoreOptions{Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d := NewDAG("metered", DAGOptions{})
	d.Task("a", noop, TaskOptions{})
	startEngine(t, s, mustRegistry(t, d), 1)
	run := trigger(t, s, "metered", nil)
	waitRun(t, s, run.RunID, 10*time.Second)
	counts, err := s.CountTaskStates(context.Background())
	if err != nil || counts["success"] != 1 {
		t.Fatalf("counts %v %v", counts, err)
	}
	// The worker records a run's metrics just after the commit that ends
	// it, which waitRun may see first: give it a moment.
	want := []string{"finpipe_task_duration_seconds", "finpipe_dag_run_duration_seconds", "finpipe_task_claim_latency_seconds"}
	var missing []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mfs, err := m.Gatherer().Gather()
		if err != nil {
			t.Fatal(err)
		}
		var names strings.Builder
		for _, mf := range mfs {
			names.WriteString(mf.GetName() + "\n")
		}
		missing = missing[:0]
		for _, w := range want {
			if !strings.Contains(names.String(), w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, w := range missing {
		t.Errorf("no %s after a run", w)
	}
}

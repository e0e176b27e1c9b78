package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRunEndToEnd(t *testing.T) {
	s := newTestStore(t)
	var mu sync.Mutex
	var order []string
	var seen *TaskContext
	rec := func(ctx context.Context, tc *TaskContext) error {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, tc.TaskID)
		if tc.TaskID == "load" {
			seen = tc
			tc.Log.Info("loaded rows", "rows", 42)
		}
		return nil
	}
	d := NewDAG("etl", DAGOptions{Params: map[string]any{"env": "dev", "limit": 1.0}})
	d.Task("extract", rec, TaskOptions{})
	d.Task("transform_a", rec, TaskOptions{Upstream: []string{"extract"}})
	d.Task("transform_b", rec, TaskOptions{Upstream: []string{"extract"}})
	d.Task("load", rec, TaskOptions{Upstream: []string{"transform_a", "transform_b"}})
	reg := mustRegistry(t, d)
	startEngine(t, s, reg, 2)

	run := trigger(t, s, "etl", map[string]any{"limit": 5.0})
	got := waitRun(t, s, run.RunID, 10*time.Second)
	if got.State != RunSuccess {
		t.Fatalf("run state %s, want success", got.State)
	}
	if order[0] != "extract" || order[3] != "load" {
		t.Fatalf("order %v: extract must run first and load last", order)
	}
	if seen.RunID != run.RunID || seen.TryNumber != 1 || seen.Params["limit"] != 5.0 || seen.Params["env"] != "dev" {
		t.Fatalf("task context %+v: conf must override params", seen)
	}
	ti, err := s.GetTaskInstance(context.Background(), run.RunID, "load")
	if err != nil {
		t.Fatal(err)
	}
	if len(ti.Attempts) != 1 || ti.Attempts[0].State != TaskSuccess || ti.Attempts[0].Hostname == "" {
		t.Fatalf("attempts %+v", ti.Attempts)
	}
	lines, err := s.AttemptLog(context.Background(), run.RunID, "load", 1, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0].Message != "loaded rows rows=42" || lines[0].Level != "INFO" {
		t.Fatalf("log lines %+v", lines)
	}
}

func TestFailurePropagatesAndAllDoneRuns(t *testing.T) {
	s := newTestStore(t)
	d := NewDAG("fails", DAGOptions{})
	d.Task("boom", func(ctx context.Context, tc *TaskContext) error { return errors.New("disk full") }, TaskOptions{})
	d.Task("after", noop, TaskOptions{Upstream: []string{"boom"}})
	d.Task("after2", noop, TaskOptions{Upstream: []string{"after"}})
	d.Task("cleanup", noop, TaskOptions{Upstream: []string{"boom"}, TriggerRule: AllDone})
	d.Task("panics", func(ctx context.Context, tc *TaskContext) error { panic("bad input") }, TaskOptions{})
	startEngine(t, s, mustRegistry(t, d), 1)

	run := trigger(t, s, "fails", nil)
	if got := waitRun(t, s, run.RunID, 10*time.Second); got.State != RunFailed {
		t.Fatalf("run %s, want failed", got.State)
	}
	st := taskStates(t, s, run.RunID)
	want := map[string]TaskState{"boom": TaskFailed, "after": TaskUpstreamFailed, "after2": TaskUpstreamFailed,
		"cleanup": TaskSuccess, "panics": TaskFailed}
	for id, w := range want {
		if st[id] != w {
			t.Errorf("%s: %s, want %s", id, st[id], w)
		}
	}
	ti, _ := s.GetTaskInstance(context.Background(), run.RunID, "panics")
	if !strings.Contains(ti.Error, "panic: bad input") {
		t.Errorf("panic error %q", ti.Error)
	}
}

func TestAttemptLogIsStoredInBatchesAndPaged(t *testing.T) {
	s := newTestStore(t)
	d := NewDAG("chatty", DAGOptions{})
	d.Task("talk", func(ctx context.Context, tc *TaskContext) error {
		for i := 1; i <= 450; i++ {
			tc.Log.Info("line", "n", i)
		}
		tc.Log.Warn("done", slog.Group("stats", "rows", 3))
		return nil
	}, TaskOptions{})
	startEngine(t, s, mustRegistry(t, d), 1)
	run := trigger(t, s, "chatty", nil)
	waitRun(t, s, run.RunID, 10*time.Second)
	ctx := context.Background()
	var all []LogLine
	for after := 0; ; {
		page, err := s.AttemptLog(ctx, run.RunID, "talk", 1, after, 200)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1].Line
	}
	if len(all) != 451 || all[0].Message != "line n=1" || all[449].Line != 450 {
		t.Fatalf("%d lines, first %+v", len(all), all[0])
	}
	if last := all[450]; last.Level != "WARN" || last.Message != "done stats.rows=3" {
		t.Fatalf("last line %+v", last)
	}
	if _, err := s.AttemptLog(ctx, run.RunID, "talk", 2, 0, 10); !errors.Is(err, ErrNotFound) {
		t.Fatalf("try 2 does not exist: %v", err)
	}
	if _, err := s.AttemptLog(ctx, run.RunID, "talk", 0, 0, 10); !errors.Is(err, ErrInvalid) {
		t.Fatalf("try 0: %v", err)
	}
}

func TestOneSuccessStartsBeforeSlowUpstreamEnds(t *testing.T) {
	s := newTestStore(t)
	release := make(chan struct{})
	d := NewDAG("race", DAGOptions{})
	d.Task("fast", noop, TaskOptions{})
	d.Task("slow", func(ctx context.Context, tc *TaskContext) error { <-release; return nil }, TaskOptions{})
	d.Task("first", func(ctx context.Context, tc *TaskContext) error { close(release); return nil },
		TaskOptions{Upstream: []string{"fast", "slow"}, TriggerRule: OneSuccess})
	startEngine(t, s, mustRegistry(t, d), 1)
	run := trigger(t, s, "race", nil)
	// "first" releases "slow": the run can only finish if "first" started
	// while "slow" was still running.
	if r := waitRun(t, s, run.RunID, 10*time.Second); r.State != RunSuccess {
		t.Fatalf("run %s", r.State)
	}
}

package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"
)

// gauge tracks the most tasks (or runs) seen running at once.
type gauge struct {
	mu       sync.Mutex
	now, max int
	runs     map[string]int
	maxRuns  int
}

func (g *gauge) task(ctx context.Context, tc *TaskContext) error {
	g.mu.Lock()
	g.now++
	g.runs[tc.RunID]++
	if g.now > g.max {
		g.max = g.now
	}
	if len(g.runs) > g.maxRuns {
		g.maxRuns = len(g.runs)
	}
	g.mu.Unlock()
	time.Sleep(60 * time.Millisecond)
	g.mu.Lock()
	g.now--
	if g.runs[tc.RunID]--; g.runs[tc.RunID] == 0 {
		delete(g.runs, tc.RunID)
	}
	g.mu.Unlock()
	return nil
}

func parallelDAG(id string, opts DAGOptions, pool string, g *gauge) *DAG {
	d := NewDAG(id, opts)
	for _, t := range []string{"a", "b", "c", "d", "e", "f"} {
		d.Task(t, g.task, TaskOptions{Pool: pool})
	}
	return d
}

func TestPoolSlotsMaxActiveTasksAndRuns(t *testing.T) {
	cases := []struct {
		name         string
		opts         DAGOptions
		pool         string
		slots        int
		runs         int
		wantMax      int
		wantMaxRuns  int
		checkMaxRuns bool
	}{
		{name: "pool with one slot", pool: "single", slots: 1, runs: 1, wantMax: 1},
		{name: "max_active_tasks 2", opts: DAGOptions{MaxActiveTasks: 2}, runs: 2, wantMax: 2},
		{name: "max_active_runs 1", opts: DAGOptions{MaxActiveRuns: 1}, runs: 3, wantMax: 6, wantMaxRuns: 1, checkMaxRuns: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := context.Background()
			g := &gauge{runs: map[string]int{}}
			reg := mustRegistry(t, parallelDAG("lim", c.opts, c.pool, g))
			if err := s.SyncDAGs(ctx, reg); err != nil {
				t.Fatal(err)
			}
			if c.slots > 0 {
				if err := s.SetPool(ctx, c.pool, c.slots, "test"); err != nil {
					t.Fatal(err)
				}
			}
			var ids []string
			for i := 0; i < c.runs; i++ {
				r, err := s.TriggerRun(ctx, "lim", TriggerOptions{LogicalDate: time.Now().Add(time.Duration(i) * time.Second)})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.RunID)
			}
			startEngine(t, s, reg, 2)
			for _, id := range ids {
				if r := waitRun(t, s, id, 20*time.Second); r.State != RunSuccess {
					t.Fatalf("run %s", r.State)
				}
			}
			if g.max > c.wantMax {
				t.Fatalf("%d tasks ran at once, limit %d", g.max, c.wantMax)
			}
			if c.checkMaxRuns && g.maxRuns != c.wantMaxRuns {
				t.Fatalf("%d runs ran at once, want %d", g.maxRuns, c.wantMaxRuns)
			}
		})
	}
}

func TestScheduledRunCreationCatchup(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	now := mustTime("2026-03-01T10:30:00Z")
	start := mustTime("2026-03-01T00:00:00Z")
	noCatchup := NewDAG("latest_only", DAGOptions{Schedule: "@hourly", StartDate: start})
	noCatchup.Task("t", noop, TaskOptions{})
	catchup := NewDAG("catchup", DAGOptions{Schedule: "@hourly", StartDate: start, Catchup: true, MaxActiveRuns: 3})
	catchup.Task("t", noop, TaskOptions{})
	paused := NewDAG("paused", DAGOptions{Schedule: "@hourly", StartDate: start})
	paused.Task("t", noop, TaskOptions{})
	if err := s.SyncDAGs(ctx, mustRegistry(t, noCatchup, catchup, paused)); err != nil {
		t.Fatal(err)
	}
	if err := s.PauseDAG(ctx, "paused", true); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // repeated ticks are idempotent
		for _, d := range []*DAG{noCatchup, catchup, paused} {
			if _, err := s.createDueRuns(ctx, d, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	latest, _ := s.ListRuns(ctx, RunFilter{DAGID: "latest_only"})
	if len(latest.Runs) != 1 || !latest.Runs[0].LogicalDate.Equal(mustTime("2026-03-01T09:00:00Z")) ||
		!latest.Runs[0].DataIntervalEnd.Equal(mustTime("2026-03-01T10:00:00Z")) {
		t.Fatalf("without catchup: %+v", latest.Runs)
	}
	caught, _ := s.ListRuns(ctx, RunFilter{DAGID: "catchup"})
	if len(caught.Runs) != 3 || !caught.Runs[2].LogicalDate.Equal(start) {
		t.Fatalf("catchup within max_active_runs 3: %d runs, oldest %v", len(caught.Runs), caught.Runs)
	}
	if p, _ := s.ListRuns(ctx, RunFilter{DAGID: "paused"}); len(p.Runs) != 0 {
		t.Fatalf("paused DAG got %d runs", len(p.Runs))
	}
	// Finishing the runs lets catchup continue where it stopped.
	for _, r := range caught.Runs {
		if err := s.MarkRun(ctx, r.RunID, RunSuccess); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.createDueRuns(ctx, catchup, now); err != nil {
		t.Fatal(err)
	}
	caught, _ = s.ListRuns(ctx, RunFilter{DAGID: "catchup"})
	if len(caught.Runs) != 6 || !caught.Runs[0].LogicalDate.Equal(mustTime("2026-03-01T05:00:00Z")) {
		t.Fatalf("catchup continued to %d runs, newest %v", len(caught.Runs), caught.Runs[0].LogicalDate)
	}
}

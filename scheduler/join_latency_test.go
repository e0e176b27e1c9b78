package scheduler

import (
	"context"
	"testing"
	"time"
)

func TestJoinStartsPromptly(t *testing.T) {
	s := newTestStore(t)
	sl := func(ctx context.Context, tc *TaskContext) error { time.Sleep(50 * time.Millisecond); return nil }
	d := NewDAG("join", DAGOptions{})
	d.Task("a", noop, TaskOptions{})
	d.Task("b", sl, TaskOptions{Upstream: []string{"a"}})
	d.Task("c", sl, TaskOptions{Upstream: []string{"a"}})
	d.Task("d", noop, TaskOptions{Upstream: []string{"b", "c"}})
	startEngine(t, s, mustRegistry(t, d), 1)
	for i := 0; i < 5; i++ {
		run := trigger(t, s, "join", nil)
		waitRun(t, s, run.RunID, 10*time.Second)
		tis, _ := s.ListTaskInstances(context.Background(), run.RunID)
		end := *tis[1].EndDate
		if tis[2].EndDate.After(end) {
			end = *tis[2].EndDate
		}
		gap := tis[3].StartDate.Sub(end)
		t.Logf("join gap %s", gap)
		if gap > 200*time.Millisecond {
			t.Errorf("join started %s after its last upstream ended", gap)
		}
	}
}

package scheduler

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestClearRerunsTaskAndDownstreamWithFreshBudget(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var fail atomic.Bool
	fail.Store(true)
	d := NewDAG("clear", DAGOptions{})
	d.Task("a", func(context.Context, *TaskContext) error {
		if fail.Load() {
			return errors.New("bad data")
		}
		return nil
	}, TaskOptions{Retries: 1, RetryDelay: 20 * time.Millisecond})
	d.Task("b", noop, TaskOptions{Upstream: []string{"a"}})
	d.Task("c", noop, TaskOptions{Upstream: []string{"b"}})
	startEngine(t, s, mustRegistry(t, d), 1)

	run := trigger(t, s, "clear", nil)
	if r := waitRun(t, s, run.RunID, 10*time.Second); r.State != RunFailed {
		t.Fatalf("run %s", r.State)
	}
	if st := taskStates(t, s, run.RunID); st["a"] != TaskFailed || st["c"] != TaskUpstreamFailed {
		t.Fatalf("states %v", st)
	}
	fail.Store(false)
	if err := s.ClearTask(ctx, run.RunID, "a", true); err != nil {
		t.Fatal(err)
	}
	if r := waitRun(t, s, run.RunID, 10*time.Second); r.State != RunSuccess {
		t.Fatalf("cleared run %s", r.State)
	}
	ti, _ := s.GetTaskInstance(ctx, run.RunID, "a")
	if ti.TryNumber != 3 || ti.MaxTries != 3 || len(ti.Attempts) != 3 {
		t.Fatalf("after clear: try %d max_tries %d attempts %d", ti.TryNumber, ti.MaxTries, len(ti.Attempts))
	}
	for _, id := range []string{"b", "c"} {
		if ti, _ := s.GetTaskInstance(ctx, run.RunID, id); ti.State != TaskSuccess || ti.TryNumber != 1 {
			t.Fatalf("%s: %+v", id, ti)
		}
	}

	if err := s.ClearTask(ctx, run.RunID, "zz", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown task: %v", err)
	}
	if err := s.ClearTask(ctx, "no-such-run", "a", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown run: %v", err)
	}
	if err := s.MarkTask(ctx, run.RunID, "a", TaskRunning); !errors.Is(err, ErrInvalid) {
		t.Fatalf("mark running: %v", err)
	}
}

func TestClearRunRequeuesWholeRun(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var runs atomic.Int32
	d := NewDAG("rerun", DAGOptions{})
	d.Task("a", func(context.Context, *TaskContext) error { runs.Add(1); return nil }, TaskOptions{})
	d.Task("b", noop, TaskOptions{Upstream: []string{"a"}})
	startEngine(t, s, mustRegistry(t, d), 1)
	run := trigger(t, s, "rerun", nil)
	waitRun(t, s, run.RunID, 10*time.Second)
	if err := s.ClearRun(ctx, run.RunID, false); err != nil {
		t.Fatal(err)
	}
	if r := waitRun(t, s, run.RunID, 10*time.Second); r.State != RunSuccess || runs.Load() != 2 {
		t.Fatalf("run %s, a ran %d times", r.State, runs.Load())
	}
}

func TestMarkTask(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	started := make(chan struct{}, 1)
	sawCancel := make(chan error, 1)
	d := NewDAG("mark", DAGOptions{})
	d.Task("hang", func(ctx context.Context, tc *TaskContext) error {
		started <- struct{}{}
		<-ctx.Done()
		sawCancel <- context.Cause(ctx)
		return ctx.Err()
	}, TaskOptions{})
	d.Task("after", noop, TaskOptions{Upstream: []string{"hang"}})
	startEngine(t, s, mustRegistry(t, d), 1)

	run := trigger(t, s, "mark", nil)
	<-started
	if err := s.ClearTask(ctx, run.RunID, "hang", false); !errors.Is(err, ErrConflict) {
		t.Fatalf("clearing a running task: %v, want ErrConflict", err)
	}
	// Marking the running task success lets its downstream run, and the
	// worker cancels the abandoned attempt at its next heartbeat.
	if err := s.MarkTask(ctx, run.RunID, "hang", TaskSuccess); err != nil {
		t.Fatal(err)
	}
	if r := waitRun(t, s, run.RunID, 10*time.Second); r.State != RunSuccess {
		t.Fatalf("run %s", r.State)
	}
	select {
	case cause := <-sawCancel:
		if !errors.Is(cause, errLost) {
			t.Fatalf("cancel cause %v", cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("abandoned attempt was not cancelled")
	}
	if ti, _ := s.GetTaskInstance(ctx, run.RunID, "hang"); ti.State != TaskSuccess {
		t.Fatalf("late report overwrote the mark: %s", ti.State)
	}
	// Mark a finished task failed by hand.
	if err := s.MarkTask(ctx, run.RunID, "after", TaskFailed); err != nil {
		t.Fatal(err)
	}
	if ti, _ := s.GetTaskInstance(ctx, run.RunID, "after"); ti.State != TaskFailed {
		t.Fatalf("after: %s", ti.State)
	}
	if err := s.MarkRun(ctx, run.RunID, RunFailed); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.GetRun(ctx, run.RunID); r.State != RunFailed {
		t.Fatalf("mark run: %s", r.State)
	}
}

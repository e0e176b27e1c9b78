package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestWorkerStopLetsShortTasksFinishAndHandsBackTheRest(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	d := NewDAG("shut", DAGOptions{})
	// quick is still running when Stop begins and ends right after, on that
	// event: a 200 ms sleep could end before Stop (nothing tested) or, on a
	// loaded machine, with its report outlasting a 500 ms grace.
	var w *Worker
	d.Task("quick", func(ctx context.Context, tc *TaskContext) error { <-w.stopping; return nil }, TaskOptions{})
	d.Task("long", func(ctx context.Context, tc *TaskContext) error {
		if tc.TryNumber == 1 {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}, TaskOptions{})
	reg := mustRegistry(t, d)
	if err := s.SyncDAGs(ctx, reg); err != nil {
		t.Fatal(err)
	}
	run := trigger(t, s, "shut", nil)
	if _, err := s.promoteRuns(ctx); err != nil {
		t.Fatal(err)
	}
	// The grace covers quick's report (one write, slow on a loaded
	// machine); long is cancelled only when it ends, so it bounds the test.
	w = NewWorker(s, reg, WorkerOptions{ShutdownGrace: 2 * time.Second, PollInterval: 50 * time.Millisecond, Logger: testLogger()})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for st := taskStates(t, s, run.RunID); st["quick"] != TaskRunning || st["long"] != TaskRunning; st = taskStates(t, s, run.RunID) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := w.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(ctx); err != nil { // stopping twice is harmless
		t.Fatal(err)
	}
	quick, _ := s.GetTaskInstance(ctx, run.RunID, "quick")
	long, _ := s.GetTaskInstance(ctx, run.RunID, "long")
	if quick.State != TaskSuccess {
		t.Fatalf("quick: %s (should finish within the grace period)", quick.State)
	}
	if long.State != TaskUpForRetry || long.MaxTries != 1 || !strings.Contains(long.Attempts[0].Error, "worker shut down") {
		t.Fatalf("long: %s max_tries %d %+v", long.State, long.MaxTries, long.Attempts)
	}
	// The handed-back task runs again elsewhere without having used a retry.
	startEngine(t, s, reg, 1)
	if r := waitRun(t, s, run.RunID, 10*time.Second); r.State != RunSuccess {
		t.Fatalf("run %s", r.State)
	}
}

package scheduler

import (
	"context"
	"os"
	"testing"
	"time"
)

// A worker that lost its attempt (reaped while it was paused) must not be
// able to start or finish the newer attempt: the try number fences it.
func TestTryNumberFencesStaleWorker(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	d := NewDAG("fence", DAGOptions{})
	d.Task("t", noop, TaskOptions{Retries: 2, RetryDelay: time.Millisecond})
	reg := mustRegistry(t, d)
	if err := s.SyncDAGs(ctx, reg); err != nil {
		t.Fatal(err)
	}
	run := trigger(t, s, "fence", nil)
	if _, err := s.promoteRuns(ctx); err != nil {
		t.Fatal(err)
	}
	dagIDs := []string{"fence"}
	old, err := s.claim(ctx, "w1", "host1", nil, dagIDs, 1)
	if err != nil || len(old) != 1 || old[0].Try != 1 {
		t.Fatalf("claim: %v %+v", err, old)
	}
	if ti, _ := s.GetTaskInstance(ctx, run.RunID, "t"); ti.State != TaskRunning {
		t.Fatalf("a claimed attempt is started in the claim's transaction: %s", ti.State)
	}
	// w1 never heartbeats (it is not even registered): the reaper takes try 1 back.
	if n, err := s.reapOrphans(ctx, time.Second); err != nil || n != 1 {
		t.Fatalf("reaped %d, %v", n, err)
	}
	if err := s.drv.RegisterWorker(ctx, WorkerInfo{WorkerID: "w2", Hostname: "host2", PID: os.Getpid(), Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	// No pause needed: the reaped try is ready at the reap's now(), which
	// the claim's now() is never before.
	cur, err := s.claim(ctx, "w2", "host2", nil, dagIDs, 1)
	if err != nil || len(cur) != 1 || cur[0].Try != 2 {
		t.Fatalf("second claim: %v %+v", err, cur)
	}
	stale := attemptEnd{RunID: run.RunID, TaskID: "t", Try: 1, From: []TaskState{TaskRunning}, To: TaskFailed, Error: "late"}
	if ok, err := s.finishAttempt(ctx, stale); err != nil || ok {
		t.Fatalf("stale report accepted: %v %v", ok, err)
	}
	ti, _ := s.GetTaskInstance(ctx, run.RunID, "t")
	if ti.State != TaskRunning || ti.TryNumber != 2 || ti.Hostname != "host2" {
		t.Fatalf("stale report changed the task: %+v", ti)
	}
	fresh := attemptEnd{RunID: run.RunID, TaskID: "t", Try: 2, From: []TaskState{TaskRunning}, To: TaskSuccess}
	if ok, err := s.finishAttempt(ctx, fresh); err != nil || !ok {
		t.Fatalf("current report refused: %v %v", ok, err)
	}
	if r, _ := s.GetRun(ctx, run.RunID); r.State != RunSuccess {
		t.Fatalf("run %s", r.State)
	}
	ti, _ = s.GetTaskInstance(ctx, run.RunID, "t")
	if len(ti.Attempts) != 2 || ti.Attempts[0].State != TaskFailed || ti.Attempts[1].State != TaskSuccess {
		t.Fatalf("attempt history %+v", ti.Attempts)
	}
}

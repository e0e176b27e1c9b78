package scheduler

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killDAG's task blocks in the subprocess worker and succeeds in the test's
// own worker, so only a reaped-and-retried attempt can finish the run.
func killDAG(fn TaskFunc) *DAG {
	d := NewDAG("killme", DAGOptions{})
	d.Task("work", fn, TaskOptions{Retries: 1, RetryDelay: 10 * time.Millisecond})
	d.Task("after", noop, TaskOptions{Upstream: []string{"work"}})
	return d
}

// TestHelperWorkerProcess is not a test: TestReaperRecoversSIGKILLedWorker
// re-executes the test binary to run it as a separate worker process.
func TestHelperWorkerProcess(t *testing.T) {
	url := os.Getenv("FINPIPE_TEST_WORKER_DB")
	if url == "" {
		t.Skip("helper process for TestReaperRecoversSIGKILLedWorker")
	}
	ctx := context.Background()
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	block := func(ctx context.Context, tc *TaskContext) error { <-ctx.Done(); return ctx.Err() }
	w := NewWorker(s, mustRegistry(t, killDAG(block)), WorkerOptions{ID: "doomed", PollInterval: 50 * time.Millisecond,
		HeartbeatInterval: 100 * time.Millisecond, Logger: testLogger()})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {} // until SIGKILL
}

func TestReaperRecoversSIGKILLedWorker(t *testing.T) {
	s, url := newTestStoreURL(t)
	ctx := context.Background()
	reg := mustRegistry(t, killDAG(noop))
	if err := s.SyncDAGs(ctx, reg); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWorkerProcess$")
	cmd.Env = append(os.Environ(), "FINPIPE_TEST_WORKER_DB="+url)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	run := trigger(t, s, "killme", nil)
	if _, err := s.promoteRuns(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ti, err := s.GetTaskInstance(ctx, run.RunID, "work")
		if err != nil {
			t.Fatal(err)
		}
		if ti.State == TaskRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("subprocess worker never started the task (state %s)", ti.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	// A scheduler reaps after 2 s without heartbeats; this process's worker runs the retry.
	startEngine(t, s, reg, 1)
	if r := waitRun(t, s, run.RunID, 20*time.Second); r.State != RunSuccess {
		t.Fatalf("run %s", r.State)
	}
	ti, _ := s.GetTaskInstance(ctx, run.RunID, "work")
	if len(ti.Attempts) != 2 || ti.Attempts[0].State != TaskFailed || ti.Attempts[1].State != TaskSuccess {
		t.Fatalf("attempts %+v", ti.Attempts)
	}
	if !strings.Contains(ti.Attempts[0].Error, `worker "doomed" stopped heartbeating`) {
		t.Fatalf("reaped attempt error %q", ti.Attempts[0].Error)
	}
}

package scheduler

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetriesWithBackoffThenSuccess(t *testing.T) {
	s := newTestStore(t)
	var calls atomic.Int32
	flaky := func(ctx context.Context, tc *TaskContext) error {
		if calls.Add(1) <= 2 {
			tc.Log.Warn("not yet", "try", tc.TryNumber)
			return errors.New("transient")
		}
		return nil
	}
	d := NewDAG("retry", DAGOptions{})
	d.Task("flaky", flaky, TaskOptions{Retries: 3, RetryDelay: 200 * time.Millisecond, ExponentialBackoff: true, MaxRetryDelay: 2 * time.Second})
	startEngine(t, s, mustRegistry(t, d), 1)

	run := trigger(t, s, "retry", nil)
	if got := waitRun(t, s, run.RunID, 15*time.Second); got.State != RunSuccess {
		t.Fatalf("run %s", got.State)
	}
	ti, err := s.GetTaskInstance(context.Background(), run.RunID, "flaky")
	if err != nil {
		t.Fatal(err)
	}
	if ti.TryNumber != 3 || len(ti.Attempts) != 3 {
		t.Fatalf("try %d, %d attempts; want 3", ti.TryNumber, len(ti.Attempts))
	}
	want := []TaskState{TaskFailed, TaskFailed, TaskSuccess}
	for i, a := range ti.Attempts {
		if a.State != want[i] || a.TryNumber != i+1 {
			t.Fatalf("attempt %d: %+v", i, a)
		}
	}
	// Backoff: ~200ms (±25%) before try 2, ~400ms before try 3.
	gap1 := ti.Attempts[1].StartDate.Sub(ti.Attempts[0].EndDate)
	gap2 := ti.Attempts[2].StartDate.Sub(ti.Attempts[1].EndDate)
	if gap1 < 150*time.Millisecond || gap2 < 300*time.Millisecond {
		t.Fatalf("retry gaps %s, %s: backoff not honoured", gap1, gap2)
	}
	if !strings.Contains(ti.Attempts[0].Error, "transient") {
		t.Fatalf("attempt error %q", ti.Attempts[0].Error)
	}
	lines, _ := s.AttemptLog(context.Background(), run.RunID, "flaky", 2, 0, 10)
	if len(lines) == 0 || !strings.Contains(lines[0].Message, "try=2") {
		t.Fatalf("try 2 log %+v", lines)
	}
}

func TestRetriesExhaustedFails(t *testing.T) {
	s := newTestStore(t)
	d := NewDAG("exhaust", DAGOptions{})
	d.Task("bad", func(context.Context, *TaskContext) error { return errors.New("always") },
		TaskOptions{Retries: 1, RetryDelay: 50 * time.Millisecond})
	startEngine(t, s, mustRegistry(t, d), 1)
	run := trigger(t, s, "exhaust", nil)
	if got := waitRun(t, s, run.RunID, 10*time.Second); got.State != RunFailed {
		t.Fatalf("run %s", got.State)
	}
	ti, _ := s.GetTaskInstance(context.Background(), run.RunID, "bad")
	if ti.State != TaskFailed || ti.TryNumber != 2 || len(ti.Attempts) != 2 {
		t.Fatalf("%+v", ti)
	}
}

func TestTimeoutCancelsContext(t *testing.T) {
	s := newTestStore(t)
	cancelled := make(chan error, 1)
	slow := func(ctx context.Context, tc *TaskContext) error {
		select {
		case <-ctx.Done():
			cancelled <- ctx.Err()
			return ctx.Err()
		case <-time.After(30 * time.Second):
			return nil
		}
	}
	d := NewDAG("timeout", DAGOptions{})
	d.Task("slow", slow, TaskOptions{Timeout: 300 * time.Millisecond})
	startEngine(t, s, mustRegistry(t, d), 1)
	run := trigger(t, s, "timeout", nil)
	if got := waitRun(t, s, run.RunID, 10*time.Second); got.State != RunFailed {
		t.Fatalf("run %s", got.State)
	}
	if err := <-cancelled; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("task saw %v", err)
	}
	ti, _ := s.GetTaskInstance(context.Background(), run.RunID, "slow")
	if !strings.Contains(ti.Error, "timed out after 300ms") {
		t.Fatalf("error %q", ti.Error)
	}
	if d := *ti.Duration; d < 0.3 || d > 5 {
		t.Fatalf("duration %.3fs", d)
	}
}

package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/panics"
)

// TestAPanicInATasksGoroutineFailsTheAttempt: the engine's recover covers
// the task body's goroutine only. A goroutine the task starts recovers with
// panics.Call and hands the panic back; the attempt then fails with the
// stack in its log, and the worker (the process) keeps running tasks.
func TestAPanicInATasksGoroutineFailsTheAttempt(t *testing.T) {
	s := newTestStore(t)
	d := NewDAG("goroutine_panics", DAGOptions{})
	d.Task("fans_out", func(ctx context.Context, tc *TaskContext) error {
		done := make(chan error, 1)
		go func() { done <- panics.Call(func() error { return decodeInGoroutine(nil) }) }()
		return <-done
	}, TaskOptions{})
	d.Task("after", noop, TaskOptions{Upstream: []string{"fans_out"}, TriggerRule: AllDone})
	startEngine(t, s, mustRegistry(t, d), 1)

	run := trigger(t, s, "goroutine_panics", nil)
	waitRun(t, s, run.RunID, 10*time.Second)
	st := taskStates(t, s, run.RunID)
	if st["fans_out"] != TaskFailed || st["after"] != TaskSuccess {
		t.Fatalf("states %v: the panicking attempt must fail and the worker run on", st)
	}
	lines, err := s.AttemptLog(context.Background(), run.RunID, "fans_out", 1, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var logged string
	for _, l := range lines {
		logged += l.Message + "\n"
	}
	if !strings.Contains(logged, "index out of range") || !strings.Contains(logged, "scheduler.decodeInGoroutine") {
		t.Fatalf("attempt log lacks the panic and its stack:\n%s", logged)
	}
}

func decodeInGoroutine(b []byte) error {
	_ = b[len(b)]
	return nil
}

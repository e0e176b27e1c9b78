package scheduler

import (
	"errors"
	"testing"
	"time"
)

func TestTransitions(t *testing.T) {
	allowed := [][2]TaskState{
		{TaskNone, TaskScheduled}, {TaskScheduled, TaskQueued}, {TaskQueued, TaskRunning},
		{TaskRunning, TaskSuccess}, {TaskRunning, TaskFailed}, {TaskRunning, TaskUpForRetry},
		{TaskUpForRetry, TaskQueued}, {TaskFailed, TaskNone}, {TaskSuccess, TaskNone},
		{TaskNone, TaskUpstreamFailed}, {TaskNone, TaskSkipped}, {TaskFailed, TaskSuccess},
	}
	for _, tr := range allowed {
		if !canTransition(tr[0], tr[1]) {
			t.Errorf("%s → %s should be allowed", tr[0], tr[1])
		}
	}
	forbidden := [][2]TaskState{
		{TaskScheduled, TaskRunning},  // a worker starts only queued tasks
		{TaskNone, TaskRunning},       // nor tasks whose upstream is not done
		{TaskUpForRetry, TaskRunning}, // a retry is claimed (queued) first
		{TaskSuccess, TaskRunning}, {TaskFailed, TaskQueued}, {TaskSuccess, TaskUpForRetry},
	}
	for _, tr := range forbidden {
		if canTransition(tr[0], tr[1]) {
			t.Errorf("%s → %s should be forbidden", tr[0], tr[1])
		}
		if err := checkTransition(tr[0], tr[1]); !errors.Is(err, ErrConflict) {
			t.Errorf("checkTransition(%s, %s) = %v, want ErrConflict", tr[0], tr[1], err)
		}
	}
	if err := checkTransition(TaskNone, "bogus"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown state: %v", err)
	}
	for s := range taskTransitions {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
}

func TestTriggerRules(t *testing.T) {
	type c = upstreamCounts
	cases := []struct {
		rule TriggerRule
		in   upstreamCounts
		want TaskState
	}{
		{AllSuccess, c{Total: 2, Success: 2}, TaskScheduled},
		{AllSuccess, c{Total: 2, Success: 1, Failed: 1}, TaskUpstreamFailed},
		{AllSuccess, c{Total: 2, Success: 1, Skipped: 1}, TaskSkipped},
		{AllDone, c{Total: 2, Failed: 2}, TaskScheduled},
		{AllFailed, c{Total: 2, Failed: 2}, TaskScheduled},
		{AllFailed, c{Total: 2, Failed: 1, Success: 1}, TaskSkipped},
		{OneSuccess, c{Total: 2, Failed: 1, Success: 1}, TaskScheduled},
		{OneSuccess, c{Total: 2, Failed: 2}, TaskUpstreamFailed},
		{OneFailed, c{Total: 2, Failed: 1, Success: 1}, TaskScheduled},
		{OneFailed, c{Total: 2, Success: 2}, TaskSkipped},
		{NoneFailed, c{Total: 2, Success: 1, Skipped: 1}, TaskScheduled},
		{NoneFailed, c{Total: 2, Success: 1, Failed: 1}, TaskUpstreamFailed},
	}
	for _, k := range cases {
		if got := ruleDecide(k.rule, k.in); got != k.want {
			t.Errorf("%s %+v: %s, want %s", k.rule, k.in, got, k.want)
		}
	}
}

func TestOneSuccessAndOneFailedFireEarly(t *testing.T) {
	if !ruleReady(OneSuccess, 1, upstreamCounts{Total: 3, Success: 1}) || ruleReady(OneSuccess, 1, upstreamCounts{Total: 3, Failed: 1}) {
		t.Error("one_success must fire on the first success only")
	}
	if !ruleReady(OneFailed, 1, upstreamCounts{Total: 3, Failed: 1}) || ruleReady(AllSuccess, 2, upstreamCounts{Total: 3, Success: 2}) {
		t.Error("one_failed fires on the first failure; all_success waits for all")
	}
}

func TestBackoff(t *testing.T) {
	p := retryPolicy{MaxTries: 3, RetryDelay: (100 * time.Millisecond), MaxRetryDelay: (100 * time.Millisecond) * 5, Exponential: true}
	for try, base := range map[int]float64{1: 1, 2: 2, 3: 4} {
		d := float64(p.delay(try)) / float64((100 * time.Millisecond))
		if d < base*0.75-1e-9 || d > base*1.25+1e-9 {
			t.Errorf("try %d: delay %.2f×, want %.0f× ±25%%", try, d, base)
		}
	}
	if d := p.delay(10); d != (100*time.Millisecond)*5 {
		t.Errorf("delay not capped: %s", d)
	}
	if st, _ := p.afterFailure(3); st != TaskUpForRetry {
		t.Errorf("try 3 of max_tries 3 should retry, got %s", st)
	}
	if st, _ := p.afterFailure(4); st != TaskFailed {
		t.Errorf("try 4 of max_tries 3 should fail, got %s", st)
	}
}

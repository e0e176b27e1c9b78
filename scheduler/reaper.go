package scheduler

import (
	"context"
	"fmt"
	"time"
)

// reapOrphans ends attempts whose worker stopped heartbeating for longer
// than after (a SIGKILLed or partitioned worker): each becomes up_for_retry
// or failed under its retry policy, fenced by its try number so a worker
// that comes back cannot overwrite the outcome. Returns how many it reaped.
func (s *Store) reapOrphans(ctx context.Context, after time.Duration) (int, error) {
	rows, err := s.db.Query(ctx, sqlOrphans, after.Seconds())
	if err != nil {
		return 0, err
	}
	type orphan struct {
		runID, taskID, worker string
		try                   int
		policy                retryPolicy
	}
	var found []orphan
	for rows.Next() {
		var o orphan
		var delay, maxDelay int64
		if err := rows.Scan(&o.runID, &o.taskID, &o.try, &o.policy.MaxTries, &delay, &maxDelay,
			&o.policy.Exponential, &o.worker); err != nil {
			rows.Close()
			return 0, err
		}
		o.policy.RetryDelay = time.Duration(delay) * time.Millisecond
		o.policy.MaxRetryDelay = time.Duration(maxDelay) * time.Millisecond
		found = append(found, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, o := range found {
		to, delay := o.policy.afterFailure(o.try)
		ok, err := s.finishAttempt(ctx, attemptEnd{
			RunID: o.runID, TaskID: o.taskID, Try: o.try, From: []TaskState{TaskQueued, TaskRunning},
			To: to, RetryIn: delay,
			Error: fmt.Sprintf("worker %q stopped heartbeating for more than %s (killed or unreachable)", o.worker, after),
		})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	if n > 0 {
		_ = notify(ctx, s.db, chanTasks)
	}
	return n, nil
}

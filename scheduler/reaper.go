package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// reapOrphans ends attempts whose worker stopped heartbeating for longer
// than after (a SIGKILLed or partitioned worker): each becomes up_for_retry
// or failed under its retry policy, fenced by its try number so a worker
// that comes back cannot overwrite the outcome. Returns how many it reaped.
func (s *Store) reapOrphans(ctx context.Context, after time.Duration) (int, error) {
	found, err := s.drv.Orphans(ctx, after)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range found {
		policy := retryPolicy{MaxTries: o.MaxTries, RetryDelay: o.RetryDelay, MaxRetryDelay: o.MaxRetryDelay, Exponential: o.Exponential}
		to, delay := policy.afterFailure(o.Try)
		ok, err := s.finishAttempt(ctx, attemptEnd{
			RunID: o.RunID, TaskID: o.TaskID, Try: o.Try, From: []TaskState{TaskQueued, TaskRunning},
			To: to, RetryIn: delay,
			Error: fmt.Sprintf("worker %q stopped heartbeating for more than %s (killed or unreachable)", o.Worker, after),
		})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	if n > 0 {
		_ = s.drv.Notify(ctx, driver.ChanTasks)
	}
	return n, nil
}

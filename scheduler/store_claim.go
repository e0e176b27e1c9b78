package scheduler

import (
	"context"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// claimedTask is an attempt a worker claimed: everything needed to run it.
type claimedTask = driver.ClaimedTask

// retryOf is the retry policy a claimed attempt carries.
func retryOf(c claimedTask) retryPolicy {
	return retryPolicy{MaxTries: c.MaxTries, RetryDelay: c.RetryDelay, MaxRetryDelay: c.MaxRetryDelay, Exponential: c.Exponential}
}

// claim takes up to n ready task instances for a worker, moving them to
// queued and incrementing their try number (the attempt's fencing token),
// then starts them (queued → running), atomically. Each attempt's Params
// are the DAG's params with the run's conf keys overriding them.
func (s *Store) claim(ctx context.Context, workerID, host string, pools, dagIDs []string, n int) ([]claimedTask, error) {
	out, err := s.drv.Claim(ctx, driver.ClaimParams{WorkerID: workerID, Host: host, Pools: pools, DAGIDs: dagIDs, Max: n})
	for i := range out {
		for k, v := range out[i].Conf {
			out[i].Params[k] = v
		}
	}
	return out, err
}

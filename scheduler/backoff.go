package scheduler

import (
	"math/rand/v2"
	"time"
)

// retryPolicy is the retry part of a task's options as stored on its row.
type retryPolicy struct {
	MaxTries      int
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
	Exponential   bool
}

// afterFailure decides what a failed attempt becomes: up_for_retry after a
// delay while tries remain (try <= max_tries, Airflow's rule), else failed.
func (p retryPolicy) afterFailure(try int) (TaskState, time.Duration) {
	if try > p.MaxTries {
		return TaskFailed, 0
	}
	return TaskUpForRetry, p.delay(try)
}

// delay is RetryDelay, or with exponential backoff RetryDelay·2^(try-1)
// with ±25% jitter (so many tasks failing together do not retry in
// lockstep), capped at MaxRetryDelay.
func (p retryPolicy) delay(try int) time.Duration {
	d := p.RetryDelay
	if p.Exponential {
		for i := 1; i < try && d < p.MaxRetryDelay && d < time.Duration(1)<<52; i++ {
			d *= 2
		}
		d = time.Duration(float64(d) * (0.75 + 0.5*rand.Float64()))
	}
	if p.MaxRetryDelay > 0 && d > p.MaxRetryDelay {
		d = p.MaxRetryDelay
	}
	return d
}

package scheduler

import "time"

// Clock tells the engine the time. Tests inject a fixed or stepped clock so
// schedule and backoff computations are deterministic; production uses
// SystemClock. Times stored in PostgreSQL for leases and readiness use the
// database's now() instead, so machines with skewed clocks still agree.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real wall clock, in UTC.
type SystemClock struct{}

// Now returns time.Now in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

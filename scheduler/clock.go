package scheduler

import "time"

// Clock tells the engine the time. One clock, given in StoreOptions, is
// handed to every service built on the store — the scheduler (due runs,
// the first tick of each schedule), workers (claim times, report
// deadlines), backfills (which ticks are in the past) and the DAG list
// (next logical dates) — unless their options name another. Tests inject a
// fixed or stepped clock so those computations are deterministic;
// production uses SystemClock. Times stored in PostgreSQL for leases and
// readiness use the database's now() instead, so machines with skewed
// clocks still agree; intervals (polls, heartbeats) are durations, not
// times, and stay on the runtime's timers.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real wall clock, in UTC.
type SystemClock struct{}

// Now returns time.Now in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

package scheduler

import (
	"fmt"
	"time"
)

// CheckLogicalDate rejects logical dates outside [1900-01-01, 3000-01-01)
// UTC with ErrInvalid. RFC 3339 and Go's JSON encoding of times have
// four-digit years, so a run whose data interval ends in year 10000 could
// never be shown: one such run emptied every run list of the API (issue
// 15). The upper bound leaves room for any schedule's interval; the lower
// one keeps out year 0, which readers such as delta-rs cannot represent.
func CheckLogicalDate(t time.Time) error {
	lo, hi := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	if t.Before(lo) || !t.Before(hi) {
		return fmt.Errorf("%w: logical date %s is out of range: use one from 1900-01-01 to 2999-12-31", ErrInvalid, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// dataInterval is the data interval of the run n creates. A scheduled or
// backfill run covers [logical date, next tick). A manual run's logical
// date is any instant, usually "now", so as Airflow does for manual runs
// (infer_manual_data_interval) it covers the last complete interval that
// ends at or before its logical date: a daily DAG triggered at 01:00 covers
// yesterday. A DAG without a schedule has an empty interval.
func (n newRun) dataInterval() (time.Time, time.Time) {
	if n.runType == RunTypeManual && !n.sched.isNone() {
		if start, ok := n.sched.latest(time.Time{}, n.logical); ok {
			return start, n.sched.Next(start)
		}
	}
	return n.sched.interval(n.logical)
}

package scheduler

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// schedule is a parsed DAG schedule. Runs follow Airflow's data-interval
// model: ticks t0 < t1 < t2 ... split time into intervals [tk, tk+1); the run
// for an interval has logical date tk and is created once tk+1 has passed.
// The zero schedule (from "") never ticks: the DAG only runs when triggered.
type schedule struct {
	expr  string
	cron  cron.Schedule
	every time.Duration
}

// maxIntervals bounds how many intervals one call may list, so a mistaken
// start date or range cannot create millions of runs.
const maxIntervals = 10000

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// parseSchedule parses "", a five-field cron expression, @hourly, @daily,
// @weekly, @monthly, @yearly (@annually, @midnight) or "@every <duration>".
// All times are UTC.
func parseSchedule(expr string) (schedule, error) {
	expr = strings.TrimSpace(expr)
	s := schedule{expr: expr}
	switch {
	case expr == "" || expr == "@once" || expr == "None":
		s.expr = ""
		return s, nil
	case strings.HasPrefix(expr, "@every "):
		d, err := time.ParseDuration(strings.TrimSpace(strings.TrimPrefix(expr, "@every ")))
		if err != nil || d < time.Second {
			return s, fmt.Errorf("%w: schedule %q: @every needs a duration of at least 1s", ErrInvalid, expr)
		}
		s.every = d
		return s, nil
	}
	c, err := cronParser.Parse(expr)
	if err != nil {
		return s, fmt.Errorf("%w: schedule %q: %v", ErrInvalid, expr, err)
	}
	// "0 0 30 2 *" parses but never fires; the tick loops below need a next tick.
	if c.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return s, fmt.Errorf("%w: schedule %q never fires", ErrInvalid, expr)
	}
	s.cron = c
	return s, nil
}

// String returns the expression the schedule was parsed from.
func (s schedule) String() string { return s.expr }

// isNone reports whether the schedule never ticks.
func (s schedule) isNone() bool { return s.cron == nil && s.every == 0 }

// everyInterval returns the interval of an "@every" schedule (0 for cron ones).
func (s schedule) everyInterval() time.Duration { return s.every }

// Next returns the first tick strictly after t.
func (s schedule) Next(t time.Time) time.Time {
	t = t.UTC()
	switch {
	case s.every > 0:
		return t.Truncate(s.every).Add(s.every)
	case s.cron != nil:
		return s.cron.Next(t)
	}
	return time.Time{}
}

// firstAtOrAfter returns the first tick at or after t (zero if none).
func (s schedule) firstAtOrAfter(t time.Time) time.Time {
	n := s.Next(t.Add(-time.Second))
	for !n.IsZero() && n.Before(t) {
		n = s.Next(n)
	}
	return n
}

// after reports whether the tick following l exists and is after limit:
// the loops below stop there, or when a cron expression runs out of ticks.
func (s schedule) after(l, limit time.Time) bool {
	n := s.Next(l)
	return l.IsZero() || n.IsZero() || n.After(limit)
}

// intervals returns the logical dates of complete intervals whose logical
// date is at or after from and whose end is at or before until, oldest
// first, at most max (and never more than maxIntervals).
func (s schedule) intervals(from, until time.Time, max int) []time.Time {
	if s.isNone() {
		return nil
	}
	if max <= 0 || max > maxIntervals {
		max = maxIntervals
	}
	var out []time.Time
	for l := s.firstAtOrAfter(from); len(out) < max && !s.after(l, until); l = s.Next(l) {
		out = append(out, l)
	}
	return out
}

// latest returns the logical date of the most recent complete interval
// (ending at or before now) that starts at or after start.
func (s schedule) latest(start, now time.Time) (time.Time, bool) {
	if s.isNone() {
		return time.Time{}, false
	}
	// Look back over growing windows so that minute schedules cost a few
	// steps and yearly ones still find their tick.
	for _, back := range []time.Duration{3 * time.Hour, 72 * time.Hour, 40 * 24 * time.Hour, 800 * 24 * time.Hour, 4000 * 24 * time.Hour} {
		from := now.Add(-back)
		if from.Before(start) {
			from = start
		}
		var last time.Time
		for l := s.firstAtOrAfter(from); !s.after(l, now); l = s.Next(l) {
			last = l
		}
		if !last.IsZero() {
			return last, true
		}
		if !from.After(start) {
			break
		}
	}
	return time.Time{}, false
}

// ticksIn returns the ticks t with from <= t <= to, as logical dates for a
// backfill; it fails when there would be more than maxIntervals.
func (s schedule) ticksIn(from, to time.Time) ([]time.Time, error) {
	if s.isNone() {
		return nil, fmt.Errorf("%w: the DAG has no schedule to backfill", ErrInvalid)
	}
	var out []time.Time
	for l := s.firstAtOrAfter(from); !l.IsZero() && !l.After(to); l = s.Next(l) {
		if len(out) == maxIntervals {
			return nil, fmt.Errorf("%w: more than %d logical dates in range", ErrInvalid, maxIntervals)
		}
		out = append(out, l)
	}
	return out, nil
}

// interval returns the data interval of a run with logical date l: up to the
// next tick, or empty for unscheduled DAGs.
func (s schedule) interval(l time.Time) (time.Time, time.Time) {
	if s.isNone() {
		return l, l
	}
	return l, s.Next(l)
}

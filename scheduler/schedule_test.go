package scheduler

import (
	"testing"
	"time"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestScheduleIntervals(t *testing.T) {
	hourly, err := parseSchedule("@hourly")
	if err != nil {
		t.Fatal(err)
	}
	now := mustTime("2026-03-01T05:30:00Z")
	got := hourly.intervals(mustTime("2026-03-01T02:10:00Z"), now, 0)
	// 03:00-04:00 and 04:00-05:00 are complete; 05:00-06:00 is not.
	if len(got) != 2 || !got[0].Equal(mustTime("2026-03-01T03:00:00Z")) || !got[1].Equal(mustTime("2026-03-01T04:00:00Z")) {
		t.Fatalf("intervals %v", got)
	}
	l, ok := hourly.latest(mustTime("2026-01-01T00:00:00Z"), now)
	if !ok || !l.Equal(mustTime("2026-03-01T04:00:00Z")) {
		t.Fatalf("latest %v %v", l, ok)
	}
	every, _ := parseSchedule("@every 15m")
	if n := every.Next(mustTime("2026-03-01T05:07:00Z")); !n.Equal(mustTime("2026-03-01T05:15:00Z")) {
		t.Fatalf("@every next %v", n)
	}
	daily, _ := parseSchedule("@daily")
	ticks, err := daily.ticksIn(mustTime("2026-02-01T00:00:00Z"), mustTime("2026-02-03T00:00:00Z"))
	if err != nil || len(ticks) != 3 {
		t.Fatalf("ticks %v %v", ticks, err)
	}
	yearly, _ := parseSchedule("@yearly")
	if l, ok := yearly.latest(mustTime("2020-01-01T00:00:00Z"), now); !ok || !l.Equal(mustTime("2025-01-01T00:00:00Z")) {
		t.Fatalf("yearly latest %v", l)
	}
	if _, err := daily.ticksIn(mustTime("2000-01-01T00:00:00Z"), mustTime("2040-01-01T00:00:00Z")); err == nil {
		t.Fatal("a 40-year daily backfill should be refused")
	}
	none, _ := parseSchedule("")
	if !none.isNone() || len(none.intervals(now.Add(-time.Hour), now, 0)) != 0 {
		t.Fatal("empty schedule must never tick")
	}
	for _, bad := range []string{"@every 0s", "61 * * * *", "@sometimes", "0 0 30 2 *"} {
		if _, err := parseSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzParseSchedule: no schedule text may panic or hang the tick loops.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"", "@hourly", "* * * * *", "@every 1s", "0 0 29 2 *", "*/7 3-5 * * 1,3", "@every 1h30m", "0 0 30 2 *"} {
		f.Add(s)
	}
	now := mustTime("2026-03-01T05:30:00Z")
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := parseSchedule(expr)
		if err != nil {
			return
		}
		_ = s.intervals(now.Add(-48*time.Hour), now, 100)
		_, _ = s.latest(now.Add(-400*24*time.Hour), now)
		_, _ = s.ticksIn(now.Add(-24*time.Hour), now)
	})
}

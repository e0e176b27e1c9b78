package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A logical date whose data interval cannot be written as RFC 3339 is
// refused at trigger and backfill time (issue 15), dry run included.
func TestLogicalDatesOutOfRangeAreInvalid(t *testing.T) {
	s, ctx := storeWithDailyDAG(t)
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	for _, l := range []time.Time{far, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)} {
		if _, err := s.TriggerRun(ctx, "d", TriggerOptions{LogicalDate: l}); !errors.Is(err, ErrInvalid) {
			t.Errorf("trigger at %s: %v, want ErrInvalid", l, err)
		}
	}
	for _, dry := range []bool{true, false} {
		_, err := s.CreateBackfill(ctx, BackfillRequest{DAGID: "d", From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), To: far, DryRun: dry})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("backfill to %s (dry run %v): %v, want ErrInvalid", far, dry, err)
		}
	}
	if _, err := s.TriggerRun(ctx, "d", TriggerOptions{LogicalDate: time.Date(2999, 12, 31, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Errorf("last accepted day: %v", err)
	}
}

// A manual run's id names its logical date as stored (microseconds, as
// PostgreSQL keeps them), and its data interval is the last complete
// schedule interval, as in Airflow (issue 13: it was a one-second one).
func TestManualRunIDAndDataInterval(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	daily := NewDAG("daily", DAGOptions{Schedule: "@daily", StartDate: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)})
	daily.Task("t", noop, TaskOptions{})
	manual := NewDAG("manual_only", DAGOptions{})
	manual.Task("t", noop, TaskOptions{})
	if err := s.SyncDAGs(ctx, mustRegistry(t, daily, manual)); err != nil {
		t.Fatal(err)
	}
	l := time.Date(2026, 3, 5, 1, 2, 3, 456789123, time.UTC)
	r, err := s.TriggerRun(ctx, "daily", TriggerOptions{LogicalDate: l})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 3, 5, 1, 2, 3, 456789000, time.UTC)
	if !r.LogicalDate.Equal(want) || !strings.HasSuffix(r.RunID, "__"+want.Format(time.RFC3339Nano)) {
		t.Errorf("run %q has logical date %s, want %s in both", r.RunID, r.LogicalDate.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	if got, err := s.GetRun(ctx, r.RunID); err != nil || !got.LogicalDate.Equal(r.LogicalDate) {
		t.Errorf("stored logical date %v (%v), returned %v", got.LogicalDate, err, r.LogicalDate)
	}
	if ws, we := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC); !r.DataIntervalStart.Equal(ws) || !r.DataIntervalEnd.Equal(we) {
		t.Errorf("data interval [%s, %s), want [%s, %s)", r.DataIntervalStart, r.DataIntervalEnd, ws, we)
	}
	now, err := s.TriggerRun(ctx, "daily", TriggerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if now.LogicalDate.Nanosecond()%1000 != 0 || !strings.HasSuffix(now.RunID, "__"+now.LogicalDate.Format(time.RFC3339Nano)) {
		t.Errorf("run now: id %q, logical date %s", now.RunID, now.LogicalDate.Format(time.RFC3339Nano))
	}
	if u, err := s.TriggerRun(ctx, "manual_only", TriggerOptions{LogicalDate: l}); err != nil || !u.DataIntervalStart.Equal(want) || !u.DataIntervalEnd.Equal(want) {
		t.Errorf("unscheduled DAG: [%s, %s) (%v), want empty at the logical date", u.DataIntervalStart, u.DataIntervalEnd, err)
	}
}

// A dry run plans beside an active backfill: it creates nothing, so the
// one-active-backfill rule does not apply to it (issue 13).
func TestDryRunBesideAnActiveBackfill(t *testing.T) {
	s, ctx := storeWithDailyDAG(t)
	req := BackfillRequest{DAGID: "d", From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)}
	if _, err := s.CreateBackfill(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBackfill(ctx, req); !errors.Is(err, ErrConflict) {
		t.Fatalf("second backfill: %v, want ErrConflict", err)
	}
	req.DryRun = true
	res, err := s.CreateBackfill(ctx, req)
	if err != nil || len(res.Dates) != 3 {
		t.Fatalf("dry run beside an active backfill: %v, %d dates", err, len(res.Dates))
	}
}

// storeWithDailyDAG is a fresh store with one synced @daily DAG "d" that
// never runs on its own (its start date is far ahead).
func storeWithDailyDAG(t *testing.T) (*Store, context.Context) {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	d := NewDAG("d", DAGOptions{Schedule: "@daily", StartDate: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)})
	d.Task("t", noop, TaskOptions{})
	if err := s.SyncDAGs(ctx, mustRegistry(t, d)); err != nil {
		t.Fatal(err)
	}
	return s, ctx
}

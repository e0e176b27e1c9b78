package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
)

// TestOneClockDrivesTheStore: the clock given to Open decides the DAG
// list's next logical date, a manual run's default logical date and which
// backfill ticks are in the past; nothing reads the wall clock instead.
func TestOneClockDrivesTheStore(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{}
	clock.Set(time.Date(2030, 6, 15, 10, 30, 0, 0, time.UTC))
	s, err := Open(ctx, testenv.Postgres(t), StoreOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d := NewDAG("clocked", DAGOptions{Schedule: "@daily", StartDate: time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)})
	d.Task("t", noop, TaskOptions{})
	if err := s.SyncDAGs(ctx, mustRegistry(t, d)); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetDAG(ctx, "clocked")
	if err != nil {
		t.Fatal(err)
	}
	// At 2030-06-15 10:30 the latest complete daily interval is the 14th's,
	// so the next run's logical date is the 15th.
	if want := time.Date(2030, 6, 15, 0, 0, 0, 0, time.UTC); got.NextLogicalDate == nil || !got.NextLogicalDate.Equal(want) {
		t.Fatalf("next logical date %v, want %v", got.NextLogicalDate, want)
	}
	run := trigger(t, s, "clocked", nil)
	if !run.LogicalDate.Equal(clock.Now()) {
		t.Fatalf("manual run at %v, want the clock's %v", run.LogicalDate, clock.Now())
	}
	clock.Set(time.Date(2030, 6, 3, 12, 0, 0, 0, time.UTC))
	res, err := s.CreateBackfill(ctx, BackfillRequest{DAGID: "clocked", From: time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(2030, 6, 10, 0, 0, 0, 0, time.UTC), DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Dates) != 3 { // the 1st, 2nd and 3rd: later ticks are in the clock's future
		t.Fatalf("backfill dates %+v, want 3", res.Dates)
	}
}

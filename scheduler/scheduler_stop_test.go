package scheduler

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// TestStopCancelsATickInFlight: a schedule tick stuck in the database
// (here behind another transaction's uncommitted run at the same logical
// date) is cancelled by Stop. A tick under context.Background kept gocron's
// Shutdown waiting until it gave up with a time-out error.
func TestStopCancelsATickInFlight(t *testing.T) {
	s, url := newTestStoreURL(t)
	ctx := context.Background()
	start := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Second)
	d := NewDAG("stuck", DAGOptions{Schedule: "@every 1s", StartDate: start, Catchup: true, MaxActiveRuns: 1})
	d.Task("t", noop, TaskOptions{})
	reg := mustRegistry(t, d)
	if err := s.SyncDAGs(ctx, reg); err != nil {
		t.Fatal(err)
	}
	// A second process holds an uncommitted run at the first due logical
	// date: every insert of that run waits for it.
	other, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	sched, _ := parseSchedule(d.Opts.Schedule)
	held, release, inserted := make(chan error, 1), make(chan struct{}), make(chan struct{})
	go func() {
		held <- other.drv.InTx(ctx, func(x driver.Executor) error {
			lo, hi := sched.interval(start)
			if _, _, err := x.InsertRun(ctx, driver.NewRun{RunID: runIDFor("stuck", RunTypeScheduled, start), DAGID: "stuck",
				RunType: RunTypeScheduled, LogicalDate: start, IntervalStart: lo, IntervalEnd: hi}); err != nil {
				return err
			}
			close(inserted)
			<-release
			return errors.New("roll back")
		})
	}()
	defer func() { close(release); <-held }()
	// The scheduler starts only once the row is held: started earlier, its
	// sweep could insert the run first, and nothing would wait.
	select {
	case <-inserted:
	case err := <-held:
		held <- err // for the deferred release
		t.Fatalf("holding the run: %v", err)
	}

	so := fastSched
	so.Logger = testLogger()
	sch := NewScheduler(s, reg, so)
	if err := sch.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Wait until both the sweep and a tick are blocked on the held row.
	giveUp := time.Now().Add(time.Minute) // a guard against hanging, not a timed assertion
	for {
		var waiting int64
		if err := pgstore.QueryRow(ctx, url, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO dag_runs%'`,
			nil, &waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= 2 {
			break
		}
		if time.Now().After(giveUp) {
			t.Fatalf("%d statements wait on the held run, want the sweep's and a tick's", waiting)
		}
		time.Sleep(10 * time.Millisecond) // polling the database for the event, not timing
	}
	if err := sch.Stop(ctx); err != nil {
		t.Fatalf("Stop with a tick in flight: %v", err)
	}
}

// TestStopAndStartAreSafeConcurrently: Stop from two goroutines (a signal
// handler and a deferred cleanup, say) stops once; run with -race.
func TestStopAndStartAreSafeConcurrently(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	d := NewDAG("idle_stop", DAGOptions{})
	d.Task("t", noop, TaskOptions{})
	reg := mustRegistry(t, d)
	so := fastSched
	so.Logger = testLogger()
	sch := NewScheduler(s, reg, so)
	if err := sch.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = sch.Stop(ctx) }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

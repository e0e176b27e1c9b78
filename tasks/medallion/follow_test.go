package medallion

import (
	"context"
	"testing"
	"time"
)

// TestFollowFinalRunSkipsInterval: once the upstream finishes, the last run
// starts at once instead of waiting out the trigger interval, which would
// add up to a whole interval of idle time to the end of every drain.
func TestFollowFinalRunSkipsInterval(t *testing.T) {
	t.Parallel()
	up := newSignal()
	runs := make(chan time.Time, 10)
	done := make(chan error, 1)
	go func() {
		done <- follow(context.Background(), up, time.Hour, func() (bool, error) {
			runs <- time.Now()
			return false, nil
		})
	}()
	<-runs // the first run does not wait
	up.notify()
	select {
	case <-runs:
		t.Fatal("a commit started a run within the interval")
	case <-time.After(50 * time.Millisecond):
	}
	finished := time.Now()
	up.finish()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow waited out the interval after the upstream finished")
	}
	if last := <-runs; last.Before(finished) {
		t.Fatalf("no run after the upstream finished")
	}
}

package produce

import (
	"testing"
	"time"

	"github.com/finpipe/finpipe/tasks/record"
)

// TestEventClockRunsFastButNeverAheadOfWall: the clock starts in the
// past, runs at its speed, and reads the wall once it has caught up.
func TestEventClockRunsFastButNeverAheadOfWall(t *testing.T) {
	t.Parallel()
	wallAt := testNow
	wall := func() time.Time { return wallAt }
	clock, err := EventClock(testNow.Add(-10*time.Hour), 3600, wall)
	if err != nil {
		t.Fatal(err)
	}
	if got := clock(); !got.Equal(testNow.Add(-10 * time.Hour)) {
		t.Fatalf("at the start: %v", got)
	}
	wallAt = testNow.Add(2 * time.Second) // two hours of event time
	if got, want := clock(), testNow.Add(-8*time.Hour); !got.Equal(want) {
		t.Fatalf("after 2 s: %v, want %v", got, want)
	}
	wallAt = testNow.Add(time.Minute) // would be 50 h ahead of the wall
	if got := clock(); !got.Equal(wallAt) {
		t.Fatalf("caught up: %v, want the wall %v", got, wallAt)
	}
}

func TestEventClockRefusesTheFutureAndBadSpeeds(t *testing.T) {
	t.Parallel()
	wall := func() time.Time { return testNow }
	for _, c := range []struct {
		start time.Time
		speed float64
	}{{testNow.Add(time.Hour), 1}, {testNow, 0}, {testNow, -2}} {
		if _, err := EventClock(c.start, c.speed, wall); err == nil {
			t.Errorf("start %v speed %v: no error", c.start, c.speed)
		}
	}
}

// TestFutureRecordsFollowTheWallClock: with an event clock in the past,
// the records meant as future_event_time are still in the future of the
// broker's clock (Options.Wall), so they are rejected as meant.
func TestFutureRecordsFollowTheWallClock(t *testing.T) {
	t.Parallel()
	opts := testOptions()
	opts.BadRatio, opts.DuplicateRatio, opts.LateRatio = 1, 0, 0
	opts.Clock = func() time.Time { return testNow.Add(-30 * 24 * time.Hour) }
	opts.Wall = func() time.Time { return testNow }
	g := NewGenerator(opts)
	futures := 0
	for i := 0; i < 500; i++ {
		m := g.Next()
		if m.Reason != record.ReasonFutureEventTime {
			continue
		}
		futures++
		if _, rej := record.Validate(m.Value, testNow); rej == nil || rej.Reason != m.Reason {
			t.Fatalf("meant as future_event_time at the wall clock, got %v: %s", rej, m.Value)
		}
	}
	if futures == 0 {
		t.Fatal("no future_event_time records generated")
	}
}

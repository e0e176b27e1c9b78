package produce

import (
	"fmt"
	"math"
	"time"
)

// EventClock returns a clock for Options.Clock that reads start at the
// moment it is made and then runs speed times as fast as wall: a stream
// that replays weeks of event dates in minutes, so that a soak sees many
// lateness windows pass. It never runs ahead of wall: once it has caught
// up it reads wall, because a record whose event time is after its Kafka
// timestamp (wall's) by more than 5 minutes is future_event_time, and one
// just ahead of it would still move the watermark past correct records.
func EventClock(start time.Time, speed float64, wall func() time.Time) (func() time.Time, error) {
	origin := wall()
	switch {
	case !(speed > 0) || math.IsInf(speed, 0):
		return nil, fmt.Errorf("event-clock-speed must be a positive number, got %v", speed)
	case start.After(origin):
		return nil, fmt.Errorf("event-clock-start %s is in the future: event times after the Kafka timestamp are rejected as future_event_time",
			start.UTC().Format(time.RFC3339))
	}
	return func() time.Time {
		now := wall()
		ahead := time.Duration(float64(now.Sub(origin)) * speed)
		if t := start.Add(ahead); t.Before(now) {
			return t
		}
		return now
	}, nil
}

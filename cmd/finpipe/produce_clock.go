package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/tasks/produce"
)

// eventClockFlags are produce's --event-clock-start and
// --event-clock-speed: generated event times that start in the past and
// run faster than real time, so that a soak of minutes crosses many event
// dates and lateness windows (what bounds clean's duplicate index).
type eventClockFlags struct {
	start string
	speed float64
}

func registerEventClock(fs *flag.FlagSet) *eventClockFlags {
	c := &eventClockFlags{}
	fs.StringVar(&c.start, "event-clock-start", "", "generated event times start at this `time`: RFC 3339, or a duration ago (30d, 12h); default now")
	fs.Float64Var(&c.speed, "event-clock-speed", 1, "event time runs this many `times` as fast as real time (3600: an hour a second);\nit never runs ahead of real time: once caught up it follows the clock (event times ahead of the Kafka timestamp are future_event_time)")
	return c
}

// clock returns Options.Clock and Options.Wall, or nils for real time.
func (c *eventClockFlags) clock(fs *flag.FlagSet, now time.Time) (clock, wall func() time.Time, err error) {
	if !flagGiven(fs, "event-clock-start") && !flagGiven(fs, "event-clock-speed") {
		return nil, nil, nil
	}
	start := now
	if c.start != "" {
		if start, err = parseClockStart(c.start, now); err != nil {
			return nil, nil, err
		}
	}
	clock, err = produce.EventClock(start, c.speed, time.Now)
	return clock, time.Now, err
}

// parseClockStart reads an RFC 3339 time or a duration before now.
func parseClockStart(raw string, now time.Time) (time.Time, error) {
	v := strings.TrimSpace(raw)
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	d, err := config.ParseDuration(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid --event-clock-start %q: must be an RFC 3339 time (2026-11-01T00:00:00Z) or a duration ago (30d, 12h)", raw)
	}
	return now.Add(-d), nil
}

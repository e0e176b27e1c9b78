// Package produce writes transactions to Kafka: realistic fake ones from a
// seeded generator, some deliberately broken in each way the Silver rules
// catch, or the lines of a file byte for byte.
package produce

import (
	"fmt"
	"time"

	"github.com/finpipe/finpipe/tasks/record"
)

// Options configure the generator and the send loop.
type Options struct {
	// Count is how many messages to send. 0 generates until the context is
	// done, which then is a normal end (a background producer); in file
	// mode 0 sends every line.
	Count int
	// Rate limits messages per second; 0 sends as fast as possible.
	Rate float64
	// BadRatio, DuplicateRatio and LateRatio are the shares of messages that
	// are broken (cycling through every stateless reason code), that re-send
	// an earlier transaction, and whose event time is late: half within the
	// default allowed lateness (minutes to 44 h old), half beyond it (52 h to
	// 10 days old; see Generator.lateAge). Each in
	// [0, 1], their sum at most 1.
	BadRatio, DuplicateRatio, LateRatio float64
	// Seed makes the generated data reproducible: the same seed and clock
	// give the same messages.
	Seed int64
	// Users is the number of distinct users (default 10,000).
	Users int
	// Clock gives "now" for event times (default time.Now); EventClock
	// makes one that replays the past faster than real time.
	Clock func() time.Time
	// Wall is the clock the broker stamps records by, which
	// future_event_time is judged against: the records broken that way are
	// ahead of it, not of Clock (default Clock, so that a fixed Clock alone
	// makes the data reproducible).
	Wall func() time.Time
	// Progress, when set, is told how far sending is (a terminal's bar).
	Progress Progress
	// DrainTimeout bounds the delivery of what an unlimited producer (Count
	// 0) queued once it is told to stop (default DefaultDrainTimeout).
	DrainTimeout time.Duration
}

// DefaultDrainTimeout is Options.DrainTimeout's default: long enough for a
// full librdkafka queue to reach a healthy broker.
const DefaultDrainTimeout = 30 * time.Second

// Progress follows a producer: Start once with the number of messages to
// send (0 when unlimited), Set with the number delivered so far (from the
// goroutine that reads delivery reports), End once when sending ends,
// whether or not everything was delivered. Drawing is the caller's: this
// package only counts.
type Progress interface {
	Start(total int64)
	Set(delivered int64)
	End()
}

// Validate reports the first invalid option, in terms of the CLI flags.
func (o Options) Validate() error {
	switch {
	case o.Count < 0:
		return fmt.Errorf("count must not be negative, got %d", o.Count)
	case o.Rate < 0 || o.Rate != o.Rate:
		return fmt.Errorf("rate must be a non-negative number of messages per second, got %v", o.Rate)
	case o.Users < 0:
		return fmt.Errorf("users must not be negative, got %d", o.Users)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"bad-ratio", o.BadRatio}, {"duplicate-ratio", o.DuplicateRatio}, {"late-ratio", o.LateRatio}} {
		if !(r.v >= 0 && r.v <= 1) {
			return fmt.Errorf("%s must be between 0 and 1, got %v", r.name, r.v)
		}
	}
	if sum := o.BadRatio + o.DuplicateRatio + o.LateRatio; sum > 1+1e-9 {
		return fmt.Errorf("bad-ratio + duplicate-ratio + late-ratio must be at most 1, got %v", sum)
	}
	return nil
}

// Kind says what a generated message is meant to be.
type Kind uint8

const (
	KindValid     Kind = iota // a fresh, valid transaction
	KindBad                   // broken; Message.Reason says how
	KindDuplicate             // an earlier transaction sent again
	KindLate                  // valid but late: within or beyond the allowed lateness
)

func (k Kind) String() string {
	return [...]string{"valid", "bad", "duplicate", "late"}[k]
}

// Stats count what was sent (delivered, acknowledged by the cluster).
type Stats struct {
	Sent       int64
	Bytes      int64
	Valid      int64
	Bad        int64
	Duplicates int64
	Late       int64
	// BadByReason counts broken messages per reason code: the intended one
	// for generated messages, the validator's for the lines of a file.
	BadByReason map[record.Reason]int64
	Elapsed     time.Duration
}

// PerSecond is the achieved send rate.
func (s Stats) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Sent) / s.Elapsed.Seconds()
}

func (s *Stats) count(m Message) {
	switch m.Kind {
	case KindValid:
		s.Valid++
	case KindBad:
		s.Bad++
		if s.BadByReason == nil {
			s.BadByReason = make(map[record.Reason]int64)
		}
		s.BadByReason[m.Reason]++
	case KindDuplicate:
		s.Duplicates++
	case KindLate:
		s.Late++
	}
}

package record

import (
	"time"
)

// MaxFutureSkew is how far event_time may be ahead of the record's Kafka
// timestamp before the record is rejected as future_event_time: producers'
// clocks drift a little, a timestamp days ahead is a bug.
const MaxFutureSkew = 5 * time.Minute

// maxEpochMillis is 9999-12-31T23:59:59.999Z, the last instant RFC 3339 can
// write; epoch milliseconds beyond it cannot round-trip through JSON().
const maxEpochMillis = 253402300799999

// The event times Silver accepts, in UTC: those every reader of the lake
// reads back. event_time becomes a Parquet timestamp and event_date a
// partition of Silver and Gold, so one record outside the range makes whole
// tables unreadable, not just its row:
//   - Python's datetime (delta-rs's to_pylist, pandas) holds years 1 to
//     9999; a partition event_date=0000-01-01 fails every read of the table
//     with "year 0 is out of range", even one filtered to another date;
//   - Spark 3 (datetimeRebaseModeInRead=EXCEPTION, its default) refuses
//     Parquet timestamps before 1900-01-01T00:00:00Z in files that no Spark
//     wrote, since it cannot tell which calendar they are in;
//   - RFC 3339, hence JSON(), ends at 9999-12-31T23:59:59.999999Z.
//
// A transaction before 1900 is an error of its producer anyway.
var (
	minEventTime = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxEventTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// EventTimeRange is the range of event times Silver accepts, as the
// invalid_event_time detail and the README state it.
const EventTimeRange = "1900-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z"

// parseEventTime accepts the two forms producers send: an RFC 3339 string
// with an explicit offset ("Z" or ±hh:mm, fraction optional), or integer
// epoch milliseconds as a JSON integer or a string of digits (Java and JS
// producers often send Date.now()). The result is UTC, truncated to the
// microsecond that Delta timestamps hold, so a Transaction equals what Silver
// reads back.
func parseEventTime(v value) (time.Time, *Rejection) {
	var raw []byte
	switch v.kind {
	case kindNumber:
		if ms, ok := epochMillis(v.raw); ok {
			return time.UnixMilli(ms).UTC(), nil
		}
		return time.Time{}, reject(ReasonInvalidEventTime, "event_time %s is not integer epoch milliseconds in [0, %d]", truncate(string(v.raw)), int64(maxEpochMillis))
	case kindString:
		raw = v.bytes()
	default:
		return time.Time{}, reject(ReasonInvalidEventTime, "event_time must be an RFC 3339 string or epoch milliseconds, got %s", v.kind)
	}
	if ms, ok := epochMillis(raw); ok {
		return time.UnixMilli(ms).UTC(), nil
	}
	// time.Parse keeps its argument only in the error, which is dropped; the
	// details below copy it.
	text := transient(raw)
	// time.RFC3339 also accepts a fractional second; it requires the offset.
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return time.Time{}, reject(ReasonInvalidEventTime, "event_time %q is neither RFC 3339 with an offset nor epoch milliseconds", truncate(text))
	}
	t = t.UTC().Truncate(time.Microsecond)
	if t.Before(minEventTime) || t.After(maxEventTime) { // an offset, too, may push it out
		return time.Time{}, reject(ReasonInvalidEventTime, "event_time %q is outside %s, the event times every reader of the lake can represent", truncate(text), EventTimeRange)
	}
	return t, nil
}

// epochMillis parses a non-negative decimal integer without sign, fraction or
// exponent, up to maxEpochMillis.
func epochMillis(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var ms int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		ms = ms*10 + int64(c-'0')
	}
	return ms, ms <= maxEpochMillis
}

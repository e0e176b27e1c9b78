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

// parseEventTime accepts the two forms producers send: an RFC 3339 string
// with an explicit offset ("Z" or ±hh:mm, fraction optional), or integer
// epoch milliseconds as a JSON integer or a string of digits (Java and JS
// producers often send Date.now()). The result is UTC, truncated to the
// microsecond that Delta timestamps hold, so a Transaction equals what Silver
// reads back.
func parseEventTime(v value) (time.Time, *Rejection) {
	var text string
	switch v.kind {
	case kindNumber:
		if ms, ok := epochMillis(v.raw); ok {
			return time.UnixMilli(ms).UTC(), nil
		}
		return time.Time{}, reject(ReasonInvalidEventTime, "event_time %s is not integer epoch milliseconds in [0, %d]", truncate(string(v.raw)), int64(maxEpochMillis))
	case kindString:
		text = v.text()
	default:
		return time.Time{}, reject(ReasonInvalidEventTime, "event_time must be an RFC 3339 string or epoch milliseconds, got %s", v.kind)
	}
	if ms, ok := epochMillis([]byte(text)); ok {
		return time.UnixMilli(ms).UTC(), nil
	}
	// time.RFC3339 also accepts a fractional second; it requires the offset.
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return time.Time{}, reject(ReasonInvalidEventTime, "event_time %q is neither RFC 3339 with an offset nor epoch milliseconds", truncate(text))
	}
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 { // an offset pushed it out of RFC 3339's range
		return time.Time{}, reject(ReasonInvalidEventTime, "event_time %q is outside years 0000-9999 in UTC", truncate(text))
	}
	return t.Truncate(time.Microsecond), nil
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

package record

import "time"

// DefaultAllowedLateness is how far behind the watermark an event may be and
// still be accepted (DESIGN.md: 48 h, configurable by the clean task).
const DefaultAllowedLateness = 48 * time.Hour

// CheckLate reports whether an event is late: older than the watermark (the
// newest event_time accepted into Silver before this batch) minus the allowed
// lateness. A zero watermark (empty Silver) makes nothing late. Like Spark's,
// the watermark is fixed for a batch so its records never make each other late.
func CheckLate(eventTime, watermark time.Time, allowedLateness time.Duration) bool {
	if watermark.IsZero() {
		return false
	}
	return eventTime.Before(watermark.Add(-allowedLateness))
}

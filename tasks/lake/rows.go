package lake

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/finpipe/finpipe/delta"
)

// Date returns the UTC date of t as Delta date values are held: midnight
// UTC. It is how ingest_date and event_date derive from their timestamps.
func Date(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// DateString is a date's partition value ("2006-01-02").
func DateString(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// BronzeRow builds a bronze/transactions row from a Kafka record. The value
// is kept byte for byte; a nil value (a Kafka tombstone) stays null. Keys are
// a string column, so a key that is not UTF-8 has its invalid bytes replaced
// (Parquet readers reject invalid UTF-8 in strings); the value, which is
// what Silver parses, is never altered.
func BronzeRow(topic string, partition int32, offset int64, timestamp time.Time, key, value []byte, ingestedAt time.Time) delta.Row {
	var k, v any
	if key != nil {
		if utf8.Valid(key) {
			k = string(key)
		} else {
			k = strings.ToValidUTF8(string(key), "\uFFFD")
		}
	}
	if value != nil {
		v = value
	}
	ts := timestamp.UTC().Truncate(time.Microsecond)
	return delta.Row{topic, partition, offset, ts, k, v, ingestedAt.UTC().Truncate(time.Microsecond), Date(ts)}
}

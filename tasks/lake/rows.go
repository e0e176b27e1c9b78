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

// BronzeRows builds bronze/transactions rows from the Kafka records of one
// ingest run, boxing the values that repeat (topic, ingested_at, dates)
// once.
type BronzeRows struct {
	topic      any
	ingestedAt any
	ts, date   TimeBox
	cells      *Cells
}

// NewBronzeRows prepares about n rows of topic, ingested at ingestedAt.
func NewBronzeRows(topic string, ingestedAt time.Time, n int) *BronzeRows {
	return &BronzeRows{topic: topic, ingestedAt: ingestedAt.UTC().Truncate(time.Microsecond),
		cells: NewCells(BronzeIngestDate+1, n)}
}

// Row builds the row of one Kafka record. The value is kept byte for byte;
// a nil value (a Kafka tombstone) stays null. Keys are a string column, so
// a key that is not UTF-8 has its invalid bytes replaced (Parquet readers
// reject invalid UTF-8 in strings); the value, which is what Silver
// parses, is never altered.
func (b *BronzeRows) Row(partition int32, offset int64, timestamp time.Time, key, value []byte) delta.Row {
	r := b.cells.Row()
	ts := timestamp.UTC().Truncate(time.Microsecond)
	r[BronzeTopic] = b.topic
	r[BronzeKafkaPartition] = partition
	r[BronzeKafkaOffset] = offset
	r[BronzeKafkaTimestamp] = b.ts.Box(ts)
	if key != nil {
		if utf8.Valid(key) {
			r[BronzeKey] = string(key)
		} else {
			r[BronzeKey] = strings.ToValidUTF8(string(key), "\uFFFD")
		}
	}
	if value != nil {
		r[BronzeValue] = value
	}
	r[BronzeIngestedAt] = b.ingestedAt
	r[BronzeIngestDate] = b.date.Box(Date(ts))
	return r
}

// BronzeRow builds one bronze/transactions row (see BronzeRows.Row).
func BronzeRow(topic string, partition int32, offset int64, timestamp time.Time, key, value []byte, ingestedAt time.Time) delta.Row {
	return NewBronzeRows(topic, ingestedAt, 1).Row(partition, offset, timestamp, key, value)
}

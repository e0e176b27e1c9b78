package medallion

import (
	"context"
	"fmt"
	"testing"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
)

// hostile is one record of TestHostileRecordsEachLandOnce: its value, its
// Kafka timestamp (zero: now) and where it must end, "silver" or a reason.
type hostile struct {
	value string
	stamp time.Time
	want  string
}

func txJSON(id, eventTime string) string {
	return fmt.Sprintf(`{"transaction_id":%q,"user_id":"u1","amount":"10.00","currency":"EUR","event_time":%q}`, id, eventTime)
}

// TestHostileRecordsEachLandOnce sends records a hostile probe found
// breaking the record path through Kafka and the pipeline: ids shaped
// almost like UUIDs (one panicked the parser, two decoded to the same
// bytes), event times no reader can represent, and a producer whose clock
// is 72 h ahead. Each record ends in exactly one of Silver or rejected with
// the right reason, the correct records after the skewed one are not late,
// the lake's invariants hold, and delta-rs reads every table.
func TestHostileRecordsEachLandOnce(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the pipeline")
	}
	python := testenv.DeltaRS(t)
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 2)
	testenv.AllowFutureTimestamps(t, brokers, topic)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	skewed := now.Add(72 * time.Hour)
	batch := []hostile{
		{txJSON("01234567-0123-0123-0123--abcdefabcde", at(-time.Minute)), time.Time{}, "silver"},
		{txJSON("abcdef12-3456-789a-bcde-f01234567800", at(-time.Minute)), time.Time{}, "silver"},
		{txJSON("ab-cd-ef-1234-5678-9abc-def012345678", at(-time.Minute)), time.Time{}, "silver"},
		{txJSON("ABCDEF12-3456-789A-BCDE-F01234567800", at(-time.Minute)), time.Time{}, "silver"},
		{txJSON("------------------------------------", at(-time.Minute)), time.Time{}, "silver"},
		{txJSON("year-0", "0000-01-01T00:00:00Z"), time.Time{}, "invalid_event_time"},
		{txJSON("year-1-by-offset", "0001-01-01T00:30:00+01:00"), time.Time{}, "invalid_event_time"},
		{txJSON("before-1900", "1899-12-31T23:59:59.999999Z"), time.Time{}, "invalid_event_time"},
		// The first instant of the range: Silver and Gold get a partition
		// event_date=1900-01-01 (nothing is late in the first batch).
		{txJSON("first-instant", "1900-01-01T00:00:00Z"), time.Time{}, "silver"},
		{txJSON("past-9999", "9999-12-31T23:30:00-01:00"), time.Time{}, "invalid_event_time"},
		{txJSON("skewed", skewed.Format(time.RFC3339)), skewed, "future_event_time"},
		{txJSON("abcdef12-3456-789a-bcde-f01234567800", at(-time.Minute)), time.Time{}, "duplicate"},
		{txJSON("tx a", at(-time.Minute)), time.Time{}, "invalid_field"},
	}
	var after []hostile // correct records after the skewed one: none is late
	for i := 0; i < 20; i++ {
		after = append(after, hostile{txJSON(fmt.Sprint("after-", i), at(0)), time.Time{}, "silver"})
	}
	where := map[[2]int64]hostile{}
	for _, records := range [][]hostile{batch, after} {
		for pos, h := range sendHostile(t, brokers, topic, records) {
			where[pos] = h
		}
		if err := runSteps(ctx, l, brokers, topic, 0); err != nil {
			t.Fatal(err)
		}
	}

	landed := map[[2]int64][]string{}
	for _, r := range testenv.TableRows(t, l.Silver) {
		k := [2]int64{int64(r[lake.SilverKafkaPartition].(int32)), r[lake.SilverKafkaOffset].(int64)}
		landed[k] = append(landed[k], "silver")
	}
	for _, r := range testenv.TableRows(t, l.Rejected) {
		k := [2]int64{int64(r[lake.RejectedKafkaPartition].(int32)), r[lake.RejectedKafkaOffset].(int64)}
		landed[k] = append(landed[k], r[lake.RejectedReason].(string))
	}
	for pos, h := range where {
		if got := landed[pos]; len(got) != 1 || got[0] != h.want {
			t.Errorf("%s landed in %v, want exactly [%s]", h.value, got, h.want)
		}
	}
	if len(landed) != len(where) {
		t.Errorf("%d records in Silver and rejected, %d sent", len(landed), len(where))
	}
	if r, err := check.Run(ctx, l); err != nil || !r.OK() {
		t.Fatalf("lake check: %v %q", err, r.Violations)
	}
	for _, tbl := range l.Tables() {
		testenv.CheckWithDeltaRS(t, python, tbl.Delta.Path())
	}
}

// sendHostile produces records in order to one partition each by turn and
// returns them by (partition, offset).
func sendHostile(t *testing.T, brokers, topic string, records []hostile) map[[2]int64]hostile {
	t.Helper()
	p, err := kafka.NewProducer(brokers)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	delivered := make(chan ck.Event, len(records))
	for i, h := range records {
		m := &ck.Message{TopicPartition: ck.TopicPartition{Topic: &topic, Partition: int32(i % 2)},
			Value: []byte(h.value), Timestamp: h.stamp, Opaque: i}
		if err := p.Produce(m, delivered); err != nil {
			t.Fatal(err)
		}
	}
	out := map[[2]int64]hostile{}
	for range records {
		m, ok := (<-delivered).(*ck.Message)
		if !ok || m.TopicPartition.Error != nil {
			t.Fatalf("delivery: %v", m)
		}
		out[[2]int64{int64(m.TopicPartition.Partition), int64(m.TopicPartition.Offset)}] = records[m.Opaque.(int)]
	}
	return out
}

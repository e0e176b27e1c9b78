package medallion

import (
	"context"
	"strings"
	"testing"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/produce"
	"github.com/finpipe/finpipe/tasks/record"
)

// TestDeltaRSReadsThePipelinesTables runs the pipeline over three days of
// generated traffic (every reject reason, duplicates, late records; several
// batches per day and an aggregate after each, so Gold partitions are
// overwritten) and checks that delta-rs, a second Delta implementation, reads
// every one of the six tables with the same version, schema, txns and rows.
// That is what lets Spark- or Python-based consumers use FinPipe's lake.
func TestDeltaRSReadsThePipelinesTables(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the pipeline")
	}
	python := testenv.DeltaRS(t)
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// Kafka timestamps (hence ingest_date) two days ago, yesterday and
	// today, so Bronze and rejected have several partitions too.
	today := time.Now().UTC()
	var clock time.Time
	gen := produce.NewGenerator(produce.Options{Seed: 7, Users: 50, BadRatio: 0.1, DuplicateRatio: 0.05, LateRatio: 0.05,
		Clock: func() time.Time { return clock }})
	const perDay = 1500
	for day := 2; day >= 0; day-- {
		clock = today.Add(-time.Duration(day) * 24 * time.Hour)
		sendAt(t, brokers, topic, perDay, &clock, gen)
		// Small batches: the watermark of later batches rejects late
		// records, and each aggregate run overwrites Gold partitions.
		if err := runSteps(ctx, l, brokers, topic, 500); err != nil {
			t.Fatal(err)
		}
	}

	s, err := Summarize(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows[lake.BronzeTransactions] != 3*perDay {
		t.Fatalf("bronze has %d rows, sent %d", s.Rows[lake.BronzeTransactions], 3*perDay)
	}
	for _, reason := range record.Reasons() {
		if s.RejectedByReason[string(reason)] == 0 {
			t.Errorf("no record rejected as %s: %v", reason, s.RejectedByReason)
		}
	}
	if r, err := check.Run(ctx, l); err != nil || !r.OK() {
		t.Fatalf("lake check: %v %q", err, r.Violations)
	}
	for _, tbl := range l.Tables() {
		snap, err := tbl.Delta.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		parts := map[string]bool{}
		for _, f := range snap.Files() {
			parts[f.PartitionValues[tbl.Spec.PartitionColumns[0]]] = true
		}
		if len(parts) < 2 {
			t.Errorf("%s: %d partitions, want several", tbl.Spec.Name, len(parts))
		}
		if strings.HasPrefix(tbl.Spec.Name, "gold/") && len(snap.Tombstones()) == 0 {
			t.Errorf("%s: no remove actions: Gold was never overwritten", tbl.Spec.Name)
		}
		testenv.CheckWithDeltaRS(t, python, tbl.Delta.Path())
	}
}

// sendAt produces n generated messages whose Kafka timestamps follow *clock
// (a millisecond apart), so that the generator's notion of now and the
// broker's timestamps agree as they would live.
func sendAt(t *testing.T, brokers, topic string, n int, clock *time.Time, gen *produce.Generator) {
	t.Helper()
	p, err := kafka.NewProducer(brokers)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	delivered := make(chan ck.Event, n)
	for i := 0; i < n; i++ {
		*clock = clock.Add(time.Millisecond)
		m := gen.Next()
		err := p.Produce(&ck.Message{TopicPartition: ck.TopicPartition{Topic: &topic, Partition: ck.PartitionAny},
			Key: m.Key, Value: m.Value, Timestamp: *clock}, delivered)
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		if m, ok := (<-delivered).(*ck.Message); ok && m.TopicPartition.Error != nil {
			t.Fatal(m.TopicPartition.Error)
		}
	}
}

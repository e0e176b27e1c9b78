package ingest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
)

// send produces values to one partition and waits for every delivery.
func send(t *testing.T, brokers, topic string, partition int32, values ...string) {
	t.Helper()
	p, err := kafka.NewProducer(brokers)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	deliveries := make(chan ck.Event, len(values))
	for i, v := range values {
		msg := &ck.Message{TopicPartition: ck.TopicPartition{Topic: &topic, Partition: partition},
			Key: []byte(fmt.Sprint("k", i)), Value: []byte(v)}
		if err := p.Produce(msg, deliveries); err != nil {
			t.Fatal(err)
		}
	}
	for range values {
		if m := (<-deliveries).(*ck.Message); m.TopicPartition.Error != nil {
			t.Fatal(m.TopicPartition.Error)
		}
	}
}

// bronzeOffsets maps each partition to its Bronze offsets → values, failing
// on an offset stored twice.
func bronzeOffsets(t *testing.T, l *lake.Lake) map[int32]map[int64]string {
	t.Helper()
	s, err := l.Bronze.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]map[int64]string{}
	err = s.Scan(context.Background(), nil, func(r delta.Row) error {
		p, o := r[lake.BronzeKafkaPartition].(int32), r[lake.BronzeKafkaOffset].(int64)
		if out[p] == nil {
			out[p] = map[int64]string{}
		}
		if _, dup := out[p][o]; dup {
			t.Errorf("partition %d offset %d is in bronze twice", p, o)
		}
		out[p][o] = string(r[lake.BronzeValue].([]byte))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIngestSeveralPartitionsInBatches(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	want := map[int32][]string{}
	for p := int32(0); p < 3; p++ {
		for i := 0; i < 10+int(p)*7; i++ {
			want[p] = append(want[p], fmt.Sprintf(`{"p":%d,"i":%d}`, p, i))
		}
		send(t, brokers, topic, p, want[p]...)
	}
	opts := Options{Brokers: brokers, Topic: topic, MaxRecords: 15} // 5 per partition per run
	runs := 0
	for ; runs < 20; runs++ {
		res, err := Run(ctx, l.Bronze, opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Records == 0 {
			break
		}
		if res.Records > 15 {
			t.Fatalf("run %d read %d records, max is 15", runs, res.Records)
		}
	}
	if runs != 5 { // partition 2 has 24 records: five runs of ≤ 5 drain it
		t.Errorf("drained after %d runs, want 5", runs)
	}
	got := bronzeOffsets(t, l)
	for p, vals := range want {
		if len(got[p]) != len(vals) {
			t.Errorf("partition %d: %d records in bronze, want %d", p, len(got[p]), len(vals))
		}
		for i, v := range vals {
			if got[p][int64(i)] != v {
				t.Errorf("partition %d offset %d = %q, want %q", p, i, got[p][int64(i)], v)
			}
		}
	}
	snap, _ := l.Bronze.Snapshot(ctx)
	if v, _ := snap.TxnVersion(AppID(topic, 2)); v != int64(len(want[2])-1) {
		t.Errorf("txn of partition 2 = %d, want %d", v, len(want[2])-1)
	}

	// Later records continue from the stored offsets; a drained run commits
	// nothing.
	send(t, brokers, topic, 1, "late")
	if res, err := Run(ctx, l.Bronze, opts); err != nil || res.Records != 1 || res.Ranges[1] != [2]int64{17, 17} {
		t.Fatalf("incremental run: %+v, %v", res, err)
	}
	before := snap.Version() + 1
	res, err := Run(ctx, l.Bronze, opts)
	if err != nil || res.Version != -1 {
		t.Fatalf("drained run: %+v, %v", res, err)
	}
	// Next says where each partition continues, read or not: the
	// scheduler's measure of what the DAG consumed.
	if res.Next[1] != 18 || res.Next[2] != int64(len(want[2])) || len(res.Next) != len(want) {
		t.Fatalf("next offsets of a drained run: %v", res.Next)
	}
	if s, _ := l.Bronze.Snapshot(ctx); s.Version() != before {
		t.Fatalf("drained run committed: version %d, want %d", s.Version(), before)
	}
}

func TestPartitionGroupsIngestConcurrently(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 4)
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for p := int32(0); p < 4; p++ {
		send(t, brokers, topic, p, "a", "b", "c")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all, err := kafka.Partitions(ctx, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[g] = Run(ctx, l.Bronze, Options{Brokers: brokers, Topic: topic, Partitions: PartitionGroup(all, g, 2)})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := bronzeOffsets(t, l)
	for p := int32(0); p < 4; p++ {
		if len(got[p]) != 3 {
			t.Errorf("partition %d has %d records", p, len(got[p]))
		}
	}
}

func TestMissingTopicFailsClearly(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := Run(ctx, l.Bronze, Options{Brokers: brokers, Topic: "no-such-topic-finpipe"}); err == nil {
		t.Fatal("ingest of a missing topic succeeded")
	}
}

func TestPartitionGroup(t *testing.T) {
	t.Parallel()
	parts := []int32{0, 1, 2, 3, 4}
	if got := fmt.Sprint(PartitionGroup(parts, 0, 2), PartitionGroup(parts, 1, 2)); got != "[0 2 4] [1 3]" {
		t.Fatal(got)
	}
}

func TestUnreachableClusterFailsAndWritesNothing(t *testing.T) {
	t.Parallel()
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := Run(ctx, l.Bronze, Options{Brokers: "127.0.0.1:1", Topic: "transactions"}); err == nil {
		t.Fatal("ingest from an unreachable cluster succeeded")
	}
	if s, _ := l.Bronze.Snapshot(context.Background()); s.Version() != 0 {
		t.Fatalf("bronze moved to version %d", s.Version())
	}
}

package kafka_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
)

// produceN writes n messages "v<i>" with key "k<i>" to one partition and
// waits for every delivery report.
func produceN[C kafka.Cluster](t testing.TB, brokers C, topic string, partition int32, n int) {
	t.Helper()
	produce(t, brokers, topic, partition, n, func(i int) []byte { return []byte(fmt.Sprintf("v%d", i)) })
}

// produceSized writes n messages of size bytes to partition 0.
func produceSized(t testing.TB, brokers, topic string, n, size int) {
	value := bytes.Repeat([]byte("x"), size)
	produce(t, brokers, topic, 0, n, func(int) []byte { return value })
}

func produce[C kafka.Cluster](t testing.TB, brokers C, topic string, partition int32, n int, value func(int) []byte) {
	t.Helper()
	p, err := kafka.NewProducer(brokers)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	done := make(chan error, 1)
	go func() {
		var firstErr error
		for i := 0; i < n; i++ {
			m := (<-p.Events()).(*ck.Message)
			if m.TopicPartition.Error != nil && firstErr == nil {
				firstErr = m.TopicPartition.Error
			}
		}
		done <- firstErr
	}()
	for i := 0; i < n; i++ {
		msg := &ck.Message{
			TopicPartition: ck.TopicPartition{Topic: &topic, Partition: partition},
			Key:            []byte(fmt.Sprintf("k%d", i)),
			Value:          value(i),
		}
		for {
			err := p.Produce(msg, nil)
			if err == nil {
				break
			}
			if e, ok := err.(ck.Error); ok && e.Code() == ck.ErrQueueFull {
				p.Flush(10)
				continue
			}
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("delivery: %v", err)
	}
}

func TestReadRange(t *testing.T) {
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	ctx := context.Background()
	produceN(t, brokers, topic, 1, 1000)

	recs, high, err := kafka.ReadRange(ctx, brokers, topic, 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if high != 1000 || len(recs) != 1000 {
		t.Fatalf("high %d, %d records; want 1000, 1000", high, len(recs))
	}
	for i, r := range recs {
		if r.Offset != int64(i) || r.Partition != 1 || string(r.Key) != fmt.Sprintf("k%d", i) || string(r.Value) != fmt.Sprintf("v%d", i) {
			t.Fatalf("record %d = %+v", i, r)
		}
		if r.Timestamp.IsZero() || time.Since(r.Timestamp) > time.Minute || r.Timestamp.Location() != time.UTC {
			t.Fatalf("record %d timestamp %v", i, r.Timestamp)
		}
	}

	recs, high, err = kafka.ReadRange(ctx, brokers, topic, 1, 990, 5)
	if err != nil || high != 1000 || len(recs) != 5 || recs[0].Offset != 990 || recs[4].Offset != 994 {
		t.Fatalf("bounded read: %d records, high %d, err %v", len(recs), high, err)
	}
	recs, high, err = kafka.ReadRange(ctx, brokers, topic, 1, 1000, 10)
	if err != nil || high != 1000 || len(recs) != 0 {
		t.Fatalf("read at the end: %d records, high %d, err %v", len(recs), high, err)
	}
	recs, _, err = kafka.ReadRange(ctx, brokers, topic, 0, 0, 10)
	if err != nil || len(recs) != 0 {
		t.Fatalf("empty partition: %d records, err %v", len(recs), err)
	}
	if _, _, err := kafka.ReadRange(ctx, brokers, topic, 7, 0, 10); err == nil || !strings.Contains(err.Error(), "no partition 7") {
		t.Fatalf("read of a missing partition: %v", err)
	}
	_, _, err = kafka.ReadRange(ctx, brokers, topic, 1, 1001, 10)
	var oor *kafka.OffsetRangeError
	if !errors.As(err, &oor) || oor.High != 1000 {
		t.Fatalf("read past the end: %v", err)
	}
}

func TestTopics(t *testing.T) {
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 4)
	ctx := context.Background()
	if err := kafka.EnsureTopic(ctx, brokers, topic, 4); err != nil {
		t.Fatalf("ensure existing topic: %v", err)
	}
	ps, err := kafka.Partitions(ctx, brokers, topic)
	if err != nil || fmt.Sprint(ps) != "[0 1 2 3]" {
		t.Fatalf("partitions %v, %v", ps, err)
	}
	produceN(t, brokers, topic, 2, 7)
	hw, err := kafka.HighWatermarks(ctx, brokers, topic)
	if err != nil || fmt.Sprint(hw) != "map[0:0 1:0 2:7 3:0]" {
		t.Fatalf("high watermarks %v, %v", hw, err)
	}
	lw, err := kafka.LowWatermarks(ctx, brokers, topic)
	if err != nil || fmt.Sprint(lw) != "map[0:0 1:0 2:0 3:0]" {
		t.Fatalf("low watermarks %v, %v", lw, err)
	}
	if err := kafka.EnsureTopic(ctx, brokers, "", 1); err == nil {
		t.Error("empty topic name accepted")
	}
}

func TestMissingTopic(t *testing.T) {
	brokers := testenv.Kafka(t)
	ctx := context.Background()
	missing := fmt.Sprintf("missing-%d", time.Now().UnixNano())
	if _, err := kafka.Partitions(ctx, brokers, missing); !errors.Is(err, kafka.ErrTopicNotFound) {
		t.Fatalf("Partitions of a missing topic: %v", err)
	}
	if _, _, err := kafka.ReadRange(ctx, brokers, missing, 0, 0, 10); !errors.Is(err, kafka.ErrTopicNotFound) {
		t.Fatalf("ReadRange of a missing topic: %v", err)
	}
	if _, err := kafka.HighWatermarks(ctx, brokers, missing); !errors.Is(err, kafka.ErrTopicNotFound) {
		t.Fatalf("HighWatermarks of a missing topic: %v", err)
	}
}

func TestUnreachableClusterFailsInBoundedTime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := kafka.Partitions(ctx, "127.0.0.1:1", "transactions")
	if err == nil {
		t.Fatal("no error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	t.Logf("error: %v", err)
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	if _, _, err := kafka.ReadRange(ctx2, "127.0.0.1:1", "transactions", 0, 0, 1); err == nil {
		t.Fatal("ReadRange: no error")
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
	for name, call := range map[string]func(context.Context) error{
		"EnsureTopic": func(ctx context.Context) error { return kafka.EnsureTopic(ctx, "127.0.0.1:1", "t", 1) },
		"HighWatermarks": func(ctx context.Context) error {
			_, err := kafka.HighWatermarks(ctx, "127.0.0.1:1", "t")
			return err
		},
		"CommitGroupOffsets": func(ctx context.Context) error {
			return kafka.CommitGroupOffsets(ctx, "127.0.0.1:1", "g", "t", map[int32]int64{0: 1})
		},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		t0 := time.Now()
		err := call(ctx)
		cancel()
		if err == nil || time.Since(t0) > 4*time.Second {
			t.Errorf("%s on an unreachable cluster: %v after %v", name, err, time.Since(t0))
		}
	}
}

func TestReadRanges(t *testing.T) {
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	produceN(t, brokers, topic, 0, 30)
	produceN(t, brokers, topic, 2, 50)
	got, err := kafka.ReadRanges(context.Background(), brokers, topic, map[int32]int64{0: 10, 1: 0, 2: 0}, 25)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[int32]struct {
		n, first int
		high     int64
	}{0: {20, 10, 30}, 1: {0, 0, 0}, 2: {25, 0, 50}} {
		r := got[p]
		if len(r.Records) != want.n || r.High != want.high {
			t.Fatalf("partition %d: %d records, high %d; want %d, %d", p, len(r.Records), r.High, want.n, want.high)
		}
		for i, rec := range r.Records {
			if rec.Partition != p || rec.Offset != int64(want.first+i) {
				t.Fatalf("partition %d record %d: %+v", p, i, rec)
			}
		}
	}
}

func TestGroupOffsets(t *testing.T) {
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	produceN(t, brokers, topic, 0, 10)
	produceN(t, brokers, topic, 2, 5)
	ctx := context.Background()
	group := "finpipe-test-" + topic
	if got, err := kafka.GroupOffsets(ctx, brokers, group, topic); err != nil || len(got) != 0 {
		t.Fatalf("offsets of a new group: %v, %v", got, err)
	}
	if err := kafka.CommitGroupOffsets(ctx, brokers, group, topic, map[int32]int64{0: 10, 2: 3}); err != nil {
		t.Fatal(err)
	}
	got, err := kafka.GroupOffsets(ctx, brokers, group, topic)
	if err != nil || fmt.Sprint(got) != "map[0:10 2:3]" {
		t.Fatalf("committed offsets %v, %v", got, err)
	}
}

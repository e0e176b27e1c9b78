package kafka

import (
	"context"
	"fmt"
	"slices"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Record is one Kafka message as the ingest task stores it in Bronze.
type Record struct {
	Partition int32
	Offset    int64
	Timestamp time.Time
	Key       []byte // nil when the message has no key
	Value     []byte
}

// OffsetRangeError says that a read could not start at the requested offset:
// it is before the log start (retention deleted those records) or past its
// end (the topic was recreated). Losing or re-reading records silently would
// break exactly-once, so the caller decides.
type OffsetRangeError struct {
	Topic     string
	Partition int32
	From      int64
	Low, High int64
}

func (e *OffsetRangeError) Error() string {
	return fmt.Sprintf("kafka: %s/%d: offset %d is outside the log [%d, %d)", e.Topic, e.Partition, e.From, e.Low, e.High)
}

// readerConfig tunes the consumer for bulk reads: big fetches, a deep local
// queue, and no group semantics (offsets live in Bronze, not in Kafka).
func readerConfig(brokers string) ck.ConfigMap {
	cfg := baseConfig(brokers)
	for k, v := range map[string]any{
		"group.id":                   "finpipe-reader", // required by librdkafka, never committed
		"enable.auto.commit":         false,
		"enable.auto.offset.store":   false,
		"auto.offset.reset":          "error",
		"enable.partition.eof":       true,
		"allow.auto.create.topics":   false,
		"fetch.max.bytes":            64 << 20,
		"max.partition.fetch.bytes":  16 << 20,
		"fetch.wait.max.ms":          50,
		"queued.min.messages":        200000,
		"queued.max.messages.kbytes": 128 << 10,
		"isolation.level":            "read_committed",
		"go.logs.channel.enable":     false,
	} {
		cfg[k] = v
	}
	return cfg
}

// ReadRange reads partition of topic from offset from up to the high
// watermark captured when it starts, at most max records (max ≤ 0: no
// limit). It returns the records in offset order and that high watermark;
// records produced meanwhile are left for the next call. It uses Assign, not
// a consumer group, and commits nothing.
//
// Offsets of a transactional or compacted topic may have gaps; the read ends
// at the high watermark all the same.
func ReadRange(ctx context.Context, brokers, topic string, partition int32, from int64, max int) ([]Record, int64, error) {
	cfg := readerConfig(brokers)
	c, err := ck.NewConsumer(&cfg)
	if err != nil {
		return nil, 0, fmt.Errorf("kafka at %s: consumer: %w", brokers, err)
	}
	defer c.Close()

	ids, err := topicPartitions(ctx, c, brokers, topic)
	if err != nil {
		return nil, 0, err
	}
	if !slices.Contains(ids, partition) {
		return nil, 0, fmt.Errorf("kafka at %s: topic %s has no partition %d (it has %d)", brokers, topic, partition, len(ids))
	}
	low, high, err := c.QueryWatermarkOffsets(topic, partition, millis(budget(ctx)))
	if err != nil {
		return nil, 0, clusterError(brokers, fmt.Sprintf("watermarks of %s/%d", topic, partition), err)
	}
	if from < low || from > high {
		return nil, high, &OffsetRangeError{Topic: topic, Partition: partition, From: from, Low: low, High: high}
	}
	end := high
	if max > 0 && from+int64(max) < end {
		end = from + int64(max)
	}
	if from >= end {
		return nil, high, nil
	}
	if err := c.Assign([]ck.TopicPartition{{Topic: &topic, Partition: partition, Offset: ck.Offset(from)}}); err != nil {
		return nil, high, fmt.Errorf("kafka: assign %s/%d: %w", topic, partition, err)
	}
	recs, err := pollRange(ctx, c, brokers, end, make([]Record, 0, min(end-from, 1<<20)))
	return recs, high, err
}

// pollRange polls until the offset end is reached. librdkafka reports
// transient errors and heals itself, so only a stall longer than the budget
// (or a fatal error) fails the read.
func pollRange(ctx context.Context, c *ck.Consumer, brokers string, end int64, recs []Record) ([]Record, error) {
	stall := budget(ctx)
	progress := time.Now()
	var lastErr error
	for {
		if err := ctx.Err(); err != nil {
			return recs, err
		}
		switch e := c.Poll(100).(type) {
		case *ck.Message:
			if e.TopicPartition.Error != nil {
				return recs, clusterError(brokers, "fetch", e.TopicPartition.Error)
			}
			off := int64(e.TopicPartition.Offset)
			if off >= end {
				return recs, nil
			}
			recs = append(recs, Record{
				Partition: e.TopicPartition.Partition, Offset: off,
				Timestamp: e.Timestamp.UTC(), Key: e.Key, Value: e.Value,
			})
			progress = time.Now()
			if off == end-1 {
				return recs, nil
			}
		case ck.PartitionEOF:
			if int64(e.Offset) >= end {
				return recs, nil
			}
		case ck.Error:
			if e.IsFatal() || e.Code() == ck.ErrOffsetOutOfRange || e.Code() == ck.ErrUnknownTopicOrPart {
				return recs, clusterError(brokers, "fetch", e)
			}
			lastErr = e
		}
		if time.Since(progress) > stall {
			return recs, fmt.Errorf("kafka at %s: no progress reading for %s (last error: %v)", brokers, stall, lastErr)
		}
	}
}

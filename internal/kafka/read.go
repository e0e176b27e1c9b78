package kafka

import (
	"context"
	"fmt"
	"sync"
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

// readerConfig tunes the consumer for bulk reads in bounded memory, with no
// group semantics (offsets live in Bronze, not in Kafka).
//
// Fetches and the prefetch queue are small: librdkafka keeps whole fetch
// buffers alive while their messages are queued, and large ones cost ~200 MB
// of C memory in `finpipe bench pipeline` (peak RSS 600 → 430 MB, less CPU)
// without making reads faster. Halving them again (4 MB fetches, 1 MB per
// partition, a 2 MB queue) took the C share of peak RSS from ~110 to
// ~90 MB at the same ingest rate. The bounds are per consumer, and a
// Stream runs one per partition up to two per core (three in `finpipe
// bench pipeline`: its peak RSS stayed at ~405 MB, 512 allowed).
func readerConfig(brokers Conn) ck.ConfigMap {
	cfg := baseConfig(brokers)
	for k, v := range map[string]any{
		"group.id":                  "finpipe-reader", // required by librdkafka, never committed
		"enable.auto.commit":        false,
		"enable.auto.offset.store":  false,
		"auto.offset.reset":         "error",
		"enable.partition.eof":      true,
		"allow.auto.create.topics":  false,
		"fetch.max.bytes":           4 << 20,
		"max.partition.fetch.bytes": 1 << 20,
		// When the prefetch queue is full librdkafka stops fetching for
		// fetch.queue.backoff.ms (default 1 s) even after the queue drains:
		// with incompressible values that made reads 10× slower.
		"fetch.queue.backoff.ms":     5,
		"fetch.wait.max.ms":          10, // reads are short-lived: an idle wait only delays the end and Close
		"queued.min.messages":        20000,
		"queued.max.messages.kbytes": 2 << 10, // prefetch bound: keeps RSS low
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
func ReadRange[C Cluster](ctx context.Context, cluster C, topic string, partition int32, from int64, max int) ([]Record, int64, error) {
	res, err := ReadRanges(ctx, cluster, topic, map[int32]int64{partition: from}, max)
	r := res[partition]
	return r.Records, r.High, err
}

// Range is what ReadRanges read from one partition.
type Range struct {
	Records []Record // in offset order
	// High is the partition's high watermark when the read started.
	High int64
}

// ReadRanges is ReadRange for several partitions of topic at once: from
// maps each partition to its first offset, max bounds the records per
// partition. It is Reader.Stream gathering the records in memory.
//
// Offsets of a transactional or compacted topic may have gaps; the read ends
// at the high watermark all the same.
func ReadRanges[C Cluster](ctx context.Context, cluster C, topic string, from map[int32]int64, max int) (map[int32]Range, error) {
	r, err := OpenReader(ctx, cluster, topic)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var mu sync.Mutex // Stream calls keep from several goroutines
	recs := make(map[int32][]Record, len(from))
	keep := func(p int32, chunk []Record) error {
		mu.Lock()
		defer mu.Unlock()
		recs[p] = append(recs[p], chunk...)
		return nil
	}
	spans, err := r.Stream(ctx, from, max, keep)
	out := make(map[int32]Range, len(spans))
	for p, s := range spans {
		out[p] = Range{Records: recs[p], High: s.High}
	}
	return out, err
}

// pollRanges polls until every partition in ends has reached its end
// offset, handing records to each in chunks of chunkRecords. librdkafka
// reports transient errors and heals itself, so only a stall longer than
// the budget (or a fatal error) fails the read.
func pollRanges(ctx context.Context, c *ck.Consumer, brokers Conn, topic string, ends map[int32]int64, each func(int32, []Record) error) error {
	stall := budget(ctx)
	progress := time.Now()
	fresh := false // records arrived since progress was last set
	var lastErr error
	bufs := make(map[int32][]Record, len(ends))
	flush := func(p int32) error {
		buf := bufs[p]
		if len(buf) == 0 {
			return nil
		}
		bufs[p] = buf[:0]
		return each(p, buf)
	}
	done := func(p int32) error {
		delete(ends, p)
		_ = c.Pause([]ck.TopicPartition{{Topic: &topic, Partition: p}})
		return flush(p)
	}
	for n := 0; len(ends) > 0; n++ {
		ev := c.Poll(100)
		switch e := ev.(type) {
		case *ck.Message:
			if e.TopicPartition.Error != nil {
				return clusterError(brokers, "fetch", e.TopicPartition.Error)
			}
			p, off := e.TopicPartition.Partition, int64(e.TopicPartition.Offset)
			end, ok := ends[p]
			if !ok {
				continue // a partition already complete
			}
			if off < end {
				if bufs[p] == nil {
					bufs[p] = make([]Record, 0, chunkRecords)
				}
				bufs[p] = append(bufs[p], Record{
					Partition: p, Offset: off,
					Timestamp: e.Timestamp.UTC(), Key: e.Key, Value: e.Value,
				})
				fresh = true
			}
			if off >= end-1 {
				if err := done(p); err != nil {
					return err
				}
			} else if len(bufs[p]) == chunkRecords {
				if err := flush(p); err != nil {
					return err
				}
			}
		case ck.PartitionEOF:
			if end, ok := ends[e.Partition]; ok && int64(e.Offset) >= end {
				if err := done(e.Partition); err != nil {
					return err
				}
			}
		case ck.Error:
			if err := authFailure(brokers, e); err != nil {
				return err
			}
			// With auto.offset.reset=error librdkafka stops fetching a
			// partition whose offset left the log and says so with
			// ErrAutoOffsetReset: waiting for it to heal only delays
			// the error by the stall budget.
			switch c := e.Code(); {
			case e.IsFatal(), c == ck.ErrOffsetOutOfRange, c == ck.ErrAutoOffsetReset, c == ck.ErrUnknownTopicOrPart:
				return clusterError(brokers, "fetch", e)
			}
			lastErr = e
		}
		// Reading the clock and the context per message costs more than
		// the checks are worth: look every chunk's worth of polls, and
		// whenever a poll brought no record.
		if _, msg := ev.(*ck.Message); msg && n%chunkRecords != 0 {
			continue
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if now := time.Now(); fresh {
			progress, fresh = now, false
		} else if now.Sub(progress) > stall {
			return fmt.Errorf("kafka at %s: no progress reading %s for %s (last error: %v)", brokers, topic, stall, lastErr)
		}
	}
	return nil
}

package kafka

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// FromStart, as the offset a Stream starts a partition at, means the
// partition's log start (its low watermark when the read starts).
const FromStart int64 = -1

// Reader streams bounded ranges of one topic's partitions. Opening it
// starts one consumer and learns the topic's partitions from it, so a
// caller that reads all partitions needs no admin client (whose start and
// close cost ~100 ms, as much as reading 30,000 records).
//
// A Reader is not safe for concurrent use; Close it when done.
type Reader struct {
	conn  Conn
	topic string
	c     *ck.Consumer // serves metadata and the first poller of every Stream
	ids   []int32
}

// OpenReader starts a Reader of topic. A missing topic is an error that
// wraps ErrTopicNotFound; a refused login one that wraps ErrAuthentication.
func OpenReader[C Cluster](ctx context.Context, cluster C, topic string) (*Reader, error) {
	conn := connOf(cluster)
	c, ids, err := openConsumer(ctx, conn, topic)
	if err != nil {
		return nil, err
	}
	return &Reader{conn: conn, topic: topic, c: c, ids: ids}, nil
}

// openConsumer starts a consumer with readerConfig and waits for the
// metadata of topic, which also proves that the cluster accepted the
// login. Before Assign the consumer's queue holds only events: an
// authentication failure shows there while the metadata wait runs.
func openConsumer(ctx context.Context, conn Conn, topic string) (*ck.Consumer, []int32, error) {
	cfg := readerConfig(conn)
	c, err := ck.NewConsumer(&cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("kafka at %s: consumer: %w", conn, err)
	}
	pending := func() error { return eventFailure(conn, func() ck.Event { return c.Poll(0) }) }
	ids, err := topicPartitions(ctx, c, pending, conn, topic)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, ids, nil
}

// Partitions returns the topic's partition ids, sorted, as the reader's
// metadata saw them when it opened.
func (r *Reader) Partitions() []int32 { return slices.Clone(r.ids) }

// Close stops the reader's consumer and returns the C memory it freed.
func (r *Reader) Close() {
	if r.c != nil {
		r.c.Close()
		r.c = nil
		releaseFreedC()
	}
}

// Span is what Stream read of one partition.
type Span struct {
	// From is the first offset of the read: the one asked for, or the log
	// start for FromStart.
	From int64
	// High is the partition's high watermark when the read started; the
	// read stops there (or earlier at the record limit).
	High int64
}

// chunkRecords is how many records of one partition Stream hands over at
// once: enough that the hand-over costs nothing next to the records, few
// enough that the caller starts on them within a fraction of a millisecond.
const chunkRecords = 1024

// Stream reads partitions of the topic, from maps each to its first offset
// (or FromStart), up to the high watermark captured when the read starts
// and at most limit records per partition (limit ≤ 0: no limit). It commits
// nothing and leaves records produced meanwhile for the next read.
//
// Records go to each as they arrive, in chunks of one partition. Partitions
// are read by several consumers at once, one goroutine each (up to two per
// core), because librdkafka hands over messages one cgo call at a time:
// ~2 µs of CPU per record that one core alone cannot keep up with. So each
// is called from several goroutines at the same time, but for any one
// partition its calls come in offset order, one after the other. The slice
// is reused once each returns; the records' keys and values are not.
//
// An error of each, of the cluster or of ctx ends the whole read and is
// returned: a caller that stores what it was given only on success never
// stores part of a read. A start offset outside the partition's log is an
// *OffsetRangeError.
func (r *Reader) Stream(ctx context.Context, from map[int32]int64, limit int, each func(partition int32, recs []Record) error) (map[int32]Span, error) {
	parts := make([]int32, 0, len(from))
	for p := range from {
		if !slices.Contains(r.ids, p) {
			return nil, fmt.Errorf("kafka at %s: topic %s has no partition %d (it has %d)", r.conn, r.topic, p, len(r.ids))
		}
		parts = append(parts, p)
	}
	slices.Sort(parts)
	groups := splitPartitions(parts, max(2, 2*runtime.GOMAXPROCS(0)))

	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	spans := make([]map[int32]Span, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if spans[i], err = r.streamGroup(sctx, i == 0, g, from, limit, each); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	releaseFreedC() // the groups' consumers are closed: see releaseFreedC
	out := make(map[int32]Span, len(from))
	for _, s := range spans {
		for p, sp := range s {
			out[p] = sp
		}
	}
	if err := context.Cause(sctx); err != nil {
		return out, err
	}
	return out, nil
}

// splitPartitions deals parts out to at most n groups, round robin.
func splitPartitions(parts []int32, n int) [][]int32 {
	groups := make([][]int32, min(n, len(parts)))
	for i, p := range parts {
		groups[i%len(groups)] = append(groups[i%len(groups)], p)
	}
	return groups
}

// streamGroup reads one group of partitions with one consumer: the
// reader's own (first), else a new one, which starts while the other
// groups are already reading.
func (r *Reader) streamGroup(ctx context.Context, first bool, parts []int32, from map[int32]int64, limit int, each func(int32, []Record) error) (map[int32]Span, error) {
	c := r.c
	if first {
		defer func() { _ = c.Unassign() }()
	} else {
		var err error
		if c, _, err = openConsumer(ctx, r.conn, r.topic); err != nil {
			return nil, err
		}
		defer c.Close()
	}
	spans := make(map[int32]Span, len(parts))
	ends := make(map[int32]int64, len(parts))
	var assign []ck.TopicPartition
	for _, p := range parts {
		low, high, err := c.QueryWatermarkOffsets(r.topic, p, millis(budget(ctx)))
		if err != nil {
			return spans, clusterError(r.conn, fmt.Sprintf("watermarks of %s/%d", r.topic, p), err)
		}
		off := from[p]
		if off == FromStart {
			off = low
		}
		spans[p] = Span{From: off, High: high}
		if off < low || off > high {
			return spans, &OffsetRangeError{Topic: r.topic, Partition: p, From: off, Low: low, High: high}
		}
		end := high
		if limit > 0 && off+int64(limit) < end {
			end = off + int64(limit)
		}
		if off < end {
			ends[p] = end
			assign = append(assign, ck.TopicPartition{Topic: &r.topic, Partition: p, Offset: ck.Offset(off)})
		}
	}
	if len(assign) == 0 {
		return spans, nil
	}
	if err := c.Assign(assign); err != nil {
		return spans, fmt.Errorf("kafka: assign %s: %w", r.topic, err)
	}
	// A partition paused when an earlier read of this consumer ended
	// stays paused through Unassign and Assign.
	if err := c.Resume(assign); err != nil {
		return spans, fmt.Errorf("kafka: resume %s: %w", r.topic, err)
	}
	return spans, pollRanges(ctx, c, r.conn, r.topic, ends, each)
}

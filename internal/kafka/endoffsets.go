package kafka

import (
	"context"
	"errors"
	"sync"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// EndOffsetReader reads topics' end offsets (high watermarks) again and
// again over one admin session: the scheduler's Kafka watcher asks every
// 200 ms, and a client per call (HighWatermarks) would start librdkafka's
// threads each time. It is the scheduler's TopicOffsets. Safe for
// concurrent use; Close releases the session.
type EndOffsetReader struct {
	conn Conn
	mu   sync.Mutex
	s    *session
	sctx context.Context // ended by an authentication failure of s
}

// NewEndOffsetReader prepares a reader; the session opens at first use.
func NewEndOffsetReader[C Cluster](cluster C) *EndOffsetReader {
	return &EndOffsetReader{conn: connOf(cluster)}
}

// EndOffsets returns, per partition of topic, the offset the next record
// will get. A topic that does not exist yet has no partitions: an empty
// map, no error (the watcher waits for it to be created).
func (r *EndOffsetReader) EndOffsets(ctx context.Context, topic string) (map[int32]int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		s, sctx, err := openAdmin(context.Background(), r.conn)
		if err != nil {
			return nil, err
		}
		r.s, r.sctx = s, sctx
	}
	ctx, cancel := context.WithTimeout(ctx, budget(ctx))
	defer cancel()
	ids, err := topicPartitions(ctx, r.s, r.s.pending(r.sctx), r.conn, topic)
	if errors.Is(err, ErrTopicNotFound) {
		return map[int32]int64{}, nil
	}
	var out map[int32]int64
	if err == nil {
		out, err = offsetsAt(ctx, r.s, r.conn, topic, ids, ck.LatestOffsetSpec)
	}
	if err != nil && r.sctx.Err() != nil { // the session failed to authenticate: start afresh next time
		r.closeLocked()
	}
	return out, err
}

// Close releases the session.
func (r *EndOffsetReader) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLocked()
}

func (r *EndOffsetReader) closeLocked() {
	if r.s != nil {
		r.s.Close()
		r.s = nil
	}
}

package medallion

import (
	"context"
	"fmt"
	"sort"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/ingest"
)

// Position is ingest's place on one Kafka partition.
type Position struct {
	Partition int32
	High      int64 // the next offset Kafka will assign
	Next      int64 // the next offset ingest will read
	Lag       int64 // High - Next: records Kafka holds that Bronze does not
}

// Positions compares a topic's watermarks with Bronze's exactly-once
// positions, the txn actions ingest commits (not Kafka's committed offsets),
// ordered by partition. A nil bronze snapshot means nothing was ingested. A
// partition Bronze never read starts at its low watermark, as retention may
// have dropped the earlier records.
func Positions(bronze *delta.Snapshot, topic string, low, high map[int32]int64) []Position {
	out := make([]Position, 0, len(high))
	for p, h := range high {
		pos := Position{Partition: p, High: h, Next: low[p]}
		if bronze != nil {
			if v, ok := bronze.TxnVersion(ingest.AppID(topic, p)); ok {
				pos.Next = v + 1
			}
		}
		pos.Lag = max(h-pos.Next, 0)
		out = append(out, pos)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out
}

// IngestPositions asks the broker for topic's watermarks and compares them
// with bronze's latest snapshot (see Positions). A nil bronze means the
// table does not exist yet. It serves the lake page.
func IngestPositions[C kafka.Cluster](ctx context.Context, bronze *delta.Table, brokers C, topic string) ([]Position, error) {
	high, err := kafka.HighWatermarks(ctx, brokers, topic)
	if err != nil {
		return nil, err
	}
	low, err := kafka.LowWatermarks(ctx, brokers, topic)
	if err != nil {
		return nil, err
	}
	var snap *delta.Snapshot
	if bronze != nil {
		if snap, err = bronze.Snapshot(ctx); err != nil {
			return nil, fmt.Errorf("read bronze: %w", err)
		}
	}
	return Positions(snap, topic, low, high), nil
}

// KafkaLag is, per partition of topic, the records Kafka holds that Bronze
// does not (see IngestPositions). It serves Measure, `finpipe status` and
// the finpipe_kafka_lag_records gauge.
func KafkaLag[C kafka.Cluster](ctx context.Context, bronze *delta.Table, brokers C, topic string) (map[int32]int64, error) {
	pos, err := IngestPositions(ctx, bronze, brokers, topic)
	if err != nil {
		return nil, err
	}
	lag := make(map[int32]int64, len(pos))
	for _, p := range pos {
		lag[p.Partition] = p.Lag
	}
	return lag, nil
}

package medallion

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/ingest"
)

// KafkaLag is, per partition of topic, the records Kafka holds that Bronze
// does not: the high watermark minus the next offset ingest will read (one
// past Bronze's txn version, or the low watermark for a partition Bronze
// never read, as retention may have dropped the earlier records). A nil
// bronze means the table does not exist yet: nothing was ingested. It serves
// Measure, `finpipe status` and the finpipe_kafka_lag_records gauge.
func KafkaLag[C kafka.Cluster](ctx context.Context, bronze *delta.Table, brokers C, topic string) (map[int32]int64, error) {
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
	lag := make(map[int32]int64, len(high))
	for p, h := range high {
		next := low[p]
		if snap != nil {
			if v, ok := snap.TxnVersion(ingest.AppID(topic, p)); ok {
				next = v + 1
			}
		}
		lag[p] = max(h-next, 0)
	}
	return lag, nil
}

package medallion

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/clean"
	"github.com/finpipe/finpipe/tasks/lake"
)

// Lag says how far each step is behind its input.
type Lag struct {
	// Kafka is the number of records in the topic not yet in Bronze.
	Kafka int64 `json:"kafka_records"`
	// Bronze and Silver are the table versions the next step has not yet
	// consumed.
	Bronze int64 `json:"bronze_versions"`
	Silver int64 `json:"silver_versions"`
}

// Drained reports whether every step has consumed all of its input.
func (l Lag) Drained() bool { return l.Kafka == 0 && l.Bronze == 0 && l.Silver == 0 }

// Measure compares the topic's high watermarks with the offsets Bronze
// recorded, and each table's version with what its consumer recorded.
func Measure[C kafka.Cluster](ctx context.Context, l *lake.Lake, brokers C, topic string) (Lag, error) {
	var lag Lag
	perPartition, err := KafkaLag(ctx, l.Bronze, brokers, topic)
	if err != nil {
		return lag, err
	}
	for _, n := range perPartition {
		lag.Kafka += n
	}
	bronze, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		return lag, fmt.Errorf("read bronze: %w", err)
	}
	silver, err := l.Silver.Snapshot(ctx)
	if err != nil {
		return lag, fmt.Errorf("read silver: %w", err)
	}
	lag.Bronze = behind(bronze.Version(), silver.TxnVersion, clean.AppID)
	gold, err := l.CurrencySummary.Snapshot(ctx)
	if err != nil {
		return lag, fmt.Errorf("read gold: %w", err)
	}
	lag.Silver = behind(silver.Version(), gold.TxnVersion, aggregate.AppID)
	return lag, nil
}

// behind is how many versions of an input table its consumer (which records
// the version consumed in a txn) has not yet processed.
func behind(inputVersion int64, txn func(string) (int64, bool), appID string) int64 {
	done := int64(-1)
	if v, ok := txn(appID); ok {
		done = v
	}
	return max(inputVersion-done, 0)
}

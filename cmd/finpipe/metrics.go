package main

import (
	"context"
	"errors"
	"sync"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
)

// Every command that writes the lake (workers, standalone, demo, lake
// optimize) reports its Delta commits and rows written in the process's
// Prometheus registry; commands without a /metrics endpoint pay one atomic
// load per commit.
func init() { delta.SetCommitObserver(metrics.DeltaCommit) }

// kafkaLagSource measures finpipe_kafka_lag_records at scrape time from the
// broker's watermarks and Bronze's txn versions. Bronze is opened on the
// first scrape that finds it (and then kept, so scrapes read only new
// commits); before the first ingest every record in the topic is lag.
func kafkaLagSource[C kafka.Cluster](lakeDir string, brokers C, topic string) metrics.LagSource {
	var mu sync.Mutex
	var bronze *delta.Table
	return metrics.LagFunc(func(ctx context.Context) (string, map[int32]int64, error) {
		mu.Lock()
		if bronze == nil {
			t, err := delta.Open(delta.JoinLocation(lakeDir, lake.BronzeTransactions))
			if err != nil && !errors.Is(err, delta.ErrNotATable) {
				mu.Unlock()
				return topic, nil, err
			}
			bronze = t
		}
		t := bronze
		mu.Unlock()
		lag, err := medallion.KafkaLag(ctx, t, brokers, topic)
		return topic, lag, err
	})
}

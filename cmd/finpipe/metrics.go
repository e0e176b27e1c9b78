package main

import (
	"context"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/tasks/medallion"
)

// kafkaLagSource measures finpipe_kafka_lag_records at scrape time from the
// broker's watermarks and Bronze's txn versions. Bronze is opened on the
// first scrape that finds it (and then kept, so scrapes read only new
// commits); before the first ingest every record in the topic is lag.
func kafkaLagSource[C kafka.Cluster](lakeDir string, brokers C, topic string) metrics.LagSource {
	bronze := lazyBronze(lakeDir)
	return metrics.LagFunc(func(ctx context.Context) (string, map[int32]int64, error) {
		t, err := bronze()
		if err != nil {
			return topic, nil, err
		}
		lag, err := medallion.KafkaLag(ctx, t, brokers, topic)
		return topic, lag, err
	})
}

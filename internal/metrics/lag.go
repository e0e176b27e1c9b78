package metrics

import (
	"context"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// LagSource reports, per partition of the pipeline's topic, how many records
// Kafka holds that Bronze does not: the high watermark minus the next offset
// ingest will read (from Bronze's txn actions). Measuring at scrape time,
// rather than when ingest finishes a batch, keeps the number growing while
// ingest is stuck, which is when it matters.
type LagSource interface {
	KafkaLag(ctx context.Context) (topic string, lag map[int32]int64, err error)
}

// LagFunc adapts a function to LagSource.
type LagFunc func(ctx context.Context) (string, map[int32]int64, error)

// KafkaLag calls f.
func (f LagFunc) KafkaLag(ctx context.Context) (string, map[int32]int64, error) { return f(ctx) }

var kafkaLagDesc = prometheus.NewDesc("finpipe_kafka_lag_records",
	"Records in the topic not yet in Bronze (high watermark minus next offset to ingest), per partition.",
	[]string{"topic", "partition"}, nil)

// lagCollector queries its LagSource on each scrape.
type lagCollector struct{ src LagSource }

func (lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- kafkaLagDesc }

func (c lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	topic, lag, err := c.src.KafkaLag(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(kafkaLagDesc, err)
		return
	}
	for p, n := range lag {
		ch <- gauge(kafkaLagDesc, n, topic, strconv.Itoa(int(p)))
	}
}

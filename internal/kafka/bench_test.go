package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
)

// BenchmarkReadRange measures ReadRange over one partition of 200k messages
// of ~200 bytes; it reports messages per second.
func BenchmarkReadRange(b *testing.B) {
	const n = 200_000
	brokers := testenv.Kafka(b)
	topic := testenv.Topic(b, brokers, 1)
	produceSized(b, brokers, topic, n, 200)
	b.ResetTimer()
	start, cpu0 := time.Now(), testenv.ProcessCPU()
	for b.Loop() {
		recs, _, err := kafka.ReadRange(context.Background(), brokers, topic, 0, 0, 0)
		if err != nil || len(recs) != n {
			b.Fatalf("%d records, %v", len(recs), err)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "msgs/s")
	// CPU of the whole process (the embedded broker too, when there is one).
	b.ReportMetric(float64((testenv.ProcessCPU()-cpu0).Nanoseconds())/float64(n*b.N), "cpu-ns/msg")
}

// BenchmarkReadRangeSmall measures the fixed cost of one ReadRange call
// (client start, metadata, watermarks, first fetch) for 10 messages.
func BenchmarkReadRangeSmall(b *testing.B) {
	brokers := testenv.Kafka(b)
	topic := testenv.Topic(b, brokers, 1)
	produceSized(b, brokers, topic, 10, 200)
	for b.Loop() {
		recs, _, err := kafka.ReadRange(context.Background(), brokers, topic, 0, 0, 0)
		if err != nil || len(recs) != 10 {
			b.Fatalf("%d records, %v", len(recs), err)
		}
	}
}

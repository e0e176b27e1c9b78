package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/produce"
)

// BenchmarkRun drains 300,000 generated transactions from three partitions
// into a fresh Bronze table per iteration, in runs of 100,000 records as
// `finpipe bench pipeline` does. It reports records per second and the
// process's CPU per record, which includes the embedded broker's unless
// KAFKA_BROKERS names another one.
func BenchmarkRun(b *testing.B) {
	const n, batch = 300_000, 100_000
	brokers := testenv.Kafka(b)
	topic := testenv.Topic(b, brokers, 3)
	ctx := context.Background()
	if _, err := produce.Produce(ctx, brokers, topic, produce.Options{Count: n, Seed: 1, BadRatio: 0.05, DuplicateRatio: 0.02, LateRatio: 0.02}); err != nil {
		b.Fatal(err)
	}
	var busy, cpu time.Duration
	for b.Loop() {
		l, err := lake.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		start, cpu0 := time.Now(), testenv.ProcessCPU()
		got := 0
		for got < n {
			res, err := Run(ctx, l.Bronze, Options{Brokers: brokers, Topic: topic, MaxRecords: batch})
			if err != nil || res.Records == 0 {
				b.Fatalf("after %d records: %+v, %v", got, res, err)
			}
			got += res.Records
		}
		busy += time.Since(start)
		cpu += testenv.ProcessCPU() - cpu0
	}
	b.ReportMetric(float64(n*b.N)/busy.Seconds(), "records/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n*b.N), "cpu-ns/record")
}

package schedbench

import (
	"context"
	"testing"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
)

// BenchmarkScheduler reports the same figures as "finpipe bench scheduler"
// (step latency over a chain, throughput over a fan-out) as custom metrics:
//
//	go test -run XXX -bench Scheduler ./scheduler/schedbench
func BenchmarkScheduler(b *testing.B) {
	for i := 0; i < b.N; i++ {
		store, err := scheduler.Open(context.Background(), testenv.Postgres(b))
		if err != nil {
			b.Fatal(err)
		}
		res, err := Run(context.Background(), store, Options{})
		store.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.StepLatencyMS.P50, "step-p50-ms")
		b.ReportMetric(res.StepLatencyMS.P99, "step-p99-ms")
		b.ReportMetric(res.ThroughputTasksPerS, "tasks/s")
	}
}

// TestRunSmall checks the harness end to end on a small chain and fan-out.
func TestRunSmall(t *testing.T) {
	store, err := scheduler.Open(context.Background(), testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	res, err := Run(context.Background(), store, Options{ChainTasks: 10, FanoutTasks: 50, Workers: 1, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.StepLatencyMS.P50 <= 0 || res.ThroughputTasksPerS <= 0 || res.ChainTasks != 10 || res.FanoutTasks != 50 {
		t.Fatalf("result %+v", res)
	}
}

package freshness

import (
	"context"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
)

// TestEveryTransactionIsTimed runs a short freshness benchmark against real
// PostgreSQL and Kafka: every transaction sent is timed, and none is seen
// in Gold before Silver or in Silver before its run read it. (Speed is the
// benchmark's to report, not this test's to enforce.)
func TestEveryTransactionIsTimed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the orchestrator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := Run(ctx, Options{Rate: 500, Duration: 2 * time.Second, Brokers: testenv.Kafka(t), Partitions: 3,
		DatabaseURL: testenv.Postgres(t)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 1000 || int64(r.Measured) != r.Sent || r.Runs == 0 {
		t.Fatalf("sent %d, timed %d, over %d runs", r.Sent, r.Measured, r.Runs)
	}
	if r.Silver.P50 <= 0 || r.Gold.P50 < r.Silver.P50 || r.Gold.Max < r.Silver.Max {
		t.Fatalf("inconsistent latencies: %+v", r)
	}
}

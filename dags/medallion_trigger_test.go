package dags

import (
	"context"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/tasks/produce"
)

// TestAggregateWaitsOutItsIntervalDuringABacklog: with AggregateEvery set,
// the medallion run's aggregate leaves Gold as it is while Kafka still
// holds records and Gold is fresher than the interval, and refreshes it
// once ingest has caught up, whatever the interval.
func TestAggregateWaitsOutItsIntervalDuringABacklog(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := produce.Produce(ctx, brokers, topic, produce.Options{Count: 300, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	p := Pipeline{Lake: lake.Opener(t.TempDir(), nil), Brokers: brokers, Topic: topic, MaxBatch: 100, AggregateEvery: time.Hour}
	reg, err := RegistryOf(p, Medallion(p))
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.Lake()
	if err != nil {
		t.Fatal(err)
	}
	runTask := taskRunner(t, ctx, reg)
	goldAt := func() int64 { // the Silver version Gold reflects
		t.Helper()
		s, err := l.CurrencySummary.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := s.TxnVersion(aggregate.AppID)
		return v
	}
	run := func() {
		t.Helper()
		for _, task := range []string{"ingest", "clean", "aggregate"} {
			runTask(MedallionDAG, task, nil)
		}
	}
	run() // Gold is empty: the first batch refreshes it
	first := goldAt()
	run() // 100 records still in Kafka, Gold refreshed just now: deferred
	if got := goldAt(); got != first {
		t.Fatalf("Gold refreshed during the backlog: reflects Silver %d, was %d", got, first)
	}
	run() // the last batch: Kafka is caught up, so Gold is refreshed
	lag, err := medallion.Measure(ctx, l, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	if !lag.Drained() {
		t.Fatalf("not drained after the run that caught up with Kafka: %+v", lag)
	}
}

package dags

import (
	"context"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/ingest"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/tasks/produce"
)

// triggerRig is a medallion DAG on its own topic whose tasks a test runs
// one by one, so that it can produce between them.
type triggerRig struct {
	t       *testing.T
	ctx     context.Context
	brokers string
	topic   string
	lake    *lake.Lake
	runTask func(dag, task string, conf map[string]any)
	seed    int64
}

func newTriggerRig(t *testing.T, p Pipeline) *triggerRig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	brokers := testenv.Kafka(t)
	p.Brokers, p.Topic, p.Lake = brokers, testenv.Topic(t, brokers, 1), lake.Opener(t.TempDir(), nil)
	reg, err := RegistryOf(p, Medallion(p))
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.Lake()
	if err != nil {
		t.Fatal(err)
	}
	return &triggerRig{t: t, ctx: ctx, brokers: brokers, topic: p.Topic, lake: l, runTask: taskRunner(t, ctx, reg)}
}

func (r *triggerRig) produce(n int) {
	r.t.Helper()
	r.seed++
	if _, err := produce.Produce(r.ctx, r.brokers, r.topic, produce.Options{Count: n, Seed: r.seed}); err != nil {
		r.t.Fatal(err)
	}
}

func (r *triggerRig) run(tasks ...string) {
	r.t.Helper()
	if len(tasks) == 0 {
		tasks = []string{"ingest", "clean", "aggregate"}
	}
	for _, task := range tasks {
		r.runTask(MedallionDAG, task, nil)
	}
}

// goldAt is the Silver version Gold reflects (-1: none yet).
func (r *triggerRig) goldAt() int64 {
	r.t.Helper()
	s, err := r.lake.CurrencySummary.Snapshot(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return lake.TxnVersion(s, aggregate.AppID)
}

func (r *triggerRig) silverAt() int64 {
	r.t.Helper()
	s, err := r.lake.Silver.Snapshot(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return s.Version()
}

// TestGoldWaitsForTheEndOfABacklogByDefault: with no setting, a run that
// leaves Kafka holding more than half a batch beyond Bronze leaves Gold
// for later, even an empty Gold, and the run that catches up refreshes it
// (before, the default refreshed Gold after every batch).
func TestGoldWaitsForTheEndOfABacklogByDefault(t *testing.T) {
	t.Parallel()
	r := newTriggerRig(t, Pipeline{MaxBatch: 100})
	r.produce(300)
	r.run()
	if got := r.goldAt(); got != -1 {
		t.Fatalf("Gold refreshed with 200 records still in Kafka: reflects Silver %d", got)
	}
	r.run() // 100 records left: still a backlog
	if got := r.goldAt(); got != -1 {
		t.Fatalf("Gold refreshed with 100 records still in Kafka: reflects Silver %d", got)
	}
	r.run() // the last batch: caught up
	if got, want := r.goldAt(), r.silverAt(); got != want {
		t.Fatalf("after the run that caught up, Gold reflects Silver %d, want %d", got, want)
	}
	lag, err := medallion.Measure(r.ctx, r.lake, r.brokers, r.topic)
	if err != nil {
		t.Fatal(err)
	}
	if !lag.Drained() {
		t.Fatalf("not drained after the run that caught up with Kafka: %+v", lag)
	}
}

// TestGoldKeepsUpWithAStreamDespiteTheInterval: records that arrive while
// a run works (fewer than half a batch) are no backlog, so Gold is
// refreshed by the run even though it was refreshed just now and Kafka is
// not empty. Before, any record in Kafka deferred Gold for the interval.
func TestGoldKeepsUpWithAStreamDespiteTheInterval(t *testing.T) {
	t.Parallel()
	r := newTriggerRig(t, Pipeline{MaxBatch: 100, AggregateEvery: time.Hour})
	r.produce(100)
	r.run() // Gold refreshed: Kafka is empty
	if got, want := r.goldAt(), r.silverAt(); got != want {
		t.Fatalf("Gold reflects Silver %d, want %d", got, want)
	}
	r.produce(100)
	r.run("ingest") // a full batch...
	r.produce(10)   // ...and a few records arriving meanwhile
	r.run("clean", "aggregate")
	if got, want := r.goldAt(), r.silverAt(); got != want {
		t.Fatalf("Gold deferred for 10 records in Kafka: reflects Silver %d, want %d", got, want)
	}
}

// TestGoldWaitsNoLongerThanTheInterval: once Silver's oldest commit that
// Gold lacks is older than AggregateEvery, a run refreshes Gold although
// the backlog remains.
func TestGoldWaitsNoLongerThanTheInterval(t *testing.T) {
	t.Parallel()
	r := newTriggerRig(t, Pipeline{MaxBatch: 100, AggregateEvery: time.Second})
	r.produce(300)
	r.run("ingest", "clean")
	time.Sleep(1100 * time.Millisecond) // the Silver commit is now older than the interval
	r.run("aggregate")
	if got, want := r.goldAt(), r.silverAt(); got != want {
		t.Fatalf("Gold deferred past its interval: reflects Silver %d, want %d", got, want)
	}
	r.run() // a new Silver commit, younger than the interval, and a backlog: deferred
	if got, want := r.goldAt(), r.silverAt()-1; got != want {
		t.Fatalf("Gold reflects Silver %d, want %d (the refresh before)", got, want)
	}
}

// TestNegativeIntervalRefreshesEveryRun: AggregateEvery < 0 (what
// FINPIPE_AGGREGATE_EVERY=0 maps to) refreshes Gold after every batch, as
// before the default existed.
func TestNegativeIntervalRefreshesEveryRun(t *testing.T) {
	t.Parallel()
	if got := AggregateEveryOf(0); got >= 0 {
		t.Fatalf("AggregateEveryOf(0) = %v, want negative (off)", got)
	}
	if got := AggregateEveryOf(time.Minute); got != time.Minute {
		t.Fatalf("AggregateEveryOf(1m) = %v", got)
	}
	r := newTriggerRig(t, Pipeline{MaxBatch: 100, AggregateEvery: AggregateEveryOf(0)})
	r.produce(300)
	r.run()
	if got, want := r.goldAt(), r.silverAt(); got != want {
		t.Fatalf("Gold reflects Silver %d, want %d", got, want)
	}
}

// TestBacklogReadsTopicEnds: the backlog check asks the process's
// end-offset reader, when it has one, rather than opening a Kafka session.
func TestBacklogReadsTopicEnds(t *testing.T) {
	t.Parallel()
	ends := &countingEnds{}
	r := newTriggerRig(t, Pipeline{MaxBatch: 100, TopicEnds: ends})
	ends.r = kafka.NewEndOffsetReader(r.brokers)
	t.Cleanup(ends.r.Close)
	r.produce(250)
	r.run()
	if ends.calls == 0 {
		t.Fatal("the backlog check did not use TopicEnds")
	}
	if got := r.goldAt(); got != -1 {
		t.Fatalf("Gold refreshed with 150 records still in Kafka: reflects Silver %d", got)
	}
}

type countingEnds struct {
	r     *kafka.EndOffsetReader
	calls int
}

func (c *countingEnds) EndOffsets(ctx context.Context, topic string) (map[int32]int64, error) {
	c.calls++
	return c.r.EndOffsets(ctx, topic)
}

// TestPerPartitionShare: the backlog threshold follows ingest's split of
// its batch over its group's partitions.
func TestPerPartitionShare(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p          Pipeline
		partitions int
		want       int64
	}{
		{Pipeline{MaxBatch: 100}, 1, 100},
		{Pipeline{MaxBatch: 100_000}, 3, 33_333},
		{Pipeline{MaxBatch: 100, IngestGroups: 2}, 4, 50},
		{Pipeline{}, 0, ingest.DefaultMaxRecords},
		{Pipeline{MaxBatch: 1}, 8, 1},
	} {
		if got := c.p.perPartition(c.partitions); got != c.want {
			t.Errorf("MaxBatch %d, %d groups, %d partitions: %d records a partition, want %d",
				c.p.MaxBatch, c.p.IngestGroups, c.partitions, got, c.want)
		}
	}
}

package dags

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/produce"
	"github.com/finpipe/finpipe/tasks/record"
)

// TestPipelineDAGsDrainKafkaExactlyOnce runs the pipeline DAGs' tasks in
// dependency order, as a worker would, over generated traffic with every
// kind of bad record, and checks that the counts add up and the lake
// invariants hold.
func TestPipelineDAGsDrainKafkaExactlyOnce(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stats, err := produce.Produce(ctx, brokers, topic, produce.Options{
		Count: 3000, Seed: 42, BadRatio: 0.1, DuplicateRatio: 0.05, LateRatio: 0.02})
	if err != nil {
		t.Fatal(err)
	}
	p := Pipeline{Lake: lake.Opener(t.TempDir(), nil), Brokers: brokers, Topic: topic, IngestGroups: 2, MaxBatch: 1000}
	reg, err := RegistryOf(p, Pipelines(p)...)
	if err != nil {
		t.Fatal(err)
	}
	runTask := taskRunner(t, ctx, reg)
	for i := 0; i < 10; i++ { // 3000 records at ≤ 1000 per batch
		for _, task := range []string{"ingest_0", "ingest_1", "clean", "aggregate"} {
			runTask(MedallionDAG, task, nil)
		}
	}
	runTask(GoldHourlyRefreshDAG, "refresh_gold", nil)
	runTask(GoldDailyDAG, "rebuild_gold", map[string]any{"dates": []any{time.Now().UTC().Format(time.DateOnly)}})

	l, err := p.Lake()
	if err != nil {
		t.Fatal(err)
	}
	r, err := check.Run(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("violations: %q", r.Violations)
	}
	if len(r.Notes) > 0 {
		t.Errorf("pipeline not drained: %q", r.Notes)
	}
	if got := r.Rows[lake.BronzeTransactions]; got != stats.Sent {
		t.Fatalf("bronze has %d records, %d were sent", got, stats.Sent)
	}
	byReason := rejectedByReason(t, l)
	for _, reason := range record.StatelessReasons() {
		if byReason[string(reason)] != stats.BadByReason[reason] {
			t.Errorf("%s: %d rejected, %d sent", reason, byReason[string(reason)], stats.BadByReason[reason])
		}
	}
	if byReason[string(record.ReasonDuplicate)] != stats.Duplicates {
		t.Errorf("duplicate: %d rejected, %d sent", byReason[string(record.ReasonDuplicate)], stats.Duplicates)
	}
	// Late records are only late once Silver has a watermark, so the first
	// batch may accept some: valid + late = silver + late_event.
	if got, want := r.Rows[lake.SilverTransactions]+byReason[string(record.ReasonLateEvent)], stats.Valid+stats.Late; got != want {
		t.Errorf("silver + late_event = %d, valid + late sent = %d", got, want)
	}
}

// taskRunner runs a task of reg in the foreground, as a worker would,
// failing the test on its error.
func taskRunner(t *testing.T, ctx context.Context, reg *scheduler.Registry) func(dag, task string, conf map[string]any) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return func(dag, task string, conf map[string]any) {
		t.Helper()
		if err := scheduler.RunTaskTest(ctx, reg, dag, task, time.Time{}, conf, log); err != nil {
			t.Fatalf("%s.%s: %v", dag, task, err)
		}
	}
}

func rejectedByReason(t *testing.T, l *lake.Lake) map[string]int64 {
	t.Helper()
	s, err := l.Rejected.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Rows(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r[lake.RejectedReason].(string)]++
	}
	return out
}

package medallion

import (
	"context"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/produce"
)

// TestPipelineOnS3 runs ingest, clean and aggregate with the lake in an S3
// bucket (no local disk for tables): every Bronze record lands once, the
// lake check passes, and delta-rs reads all six tables as FinPipe does.
func TestPipelineOnS3(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline")
	}
	lakeURL := testenv.S3URL(testenv.S3(t), "finpipe/dev/lake")
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l, err := lake.Open(lakeURL)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now().UTC()
	gen := produce.NewGenerator(produce.Options{Seed: 11, Users: 20, BadRatio: 0.1, DuplicateRatio: 0.05,
		Clock: func() time.Time { return clock }})
	const sent = 600
	sendAt(t, brokers, topic, sent, &clock, gen)
	if err := runSteps(ctx, l, brokers, topic, 250); err != nil {
		t.Fatal(err)
	}
	s, err := Summarize(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows[lake.BronzeTransactions] != sent {
		t.Fatalf("bronze has %d rows, sent %d", s.Rows[lake.BronzeTransactions], sent)
	}
	reopened, err := lake.OpenExisting(lakeURL)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := check.Run(ctx, reopened); err != nil || !r.OK() {
		t.Fatalf("lake check: %v %q", err, r.Violations)
	}
	python := testenv.DeltaRS(t)
	for _, tbl := range reopened.Tables() {
		testenv.CheckWithDeltaRS(t, python, tbl.Delta.Path())
	}
}

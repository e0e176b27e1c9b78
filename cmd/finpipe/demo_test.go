package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
)

// TestDemoDrainsThroughTheOrchestrator runs the demo twice on one data
// directory against real PostgreSQL and Kafka: the second run continues
// where the first stopped, and the counts add up.
func TestDemoDrainsThroughTheOrchestrator(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the orchestrator")
	}
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	db := testenv.Postgres(t)
	dir := t.TempDir()
	args := []string{"demo", "--data-dir", dir, "--database-url", db, "--kafka-brokers", brokers,
		"--topic", topic, "--transactions", "3000", "--seed", "5", "--log-level", "error", "--json"}
	for i := 0; i < 2; i++ {
		if code := run(args); code != 0 {
			t.Fatalf("demo run %d: exit %d", i+1, code)
		}
	}
	l, err := lake.OpenExisting(filepath.Join(dir, "dev", "lake"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := medallion.Summarize(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows[lake.BronzeTransactions] != 6000 || s.Rows[lake.SilverTransactions]+s.Rows[lake.SilverRejected] != 6000 {
		t.Fatalf("rows %v", s.Rows)
	}
	r, err := check.Run(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || len(r.Notes) > 0 {
		t.Fatalf("violations %q, notes %q", r.Violations, r.Notes)
	}
}

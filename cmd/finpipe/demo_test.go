package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
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
	t.Parallel()
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
		code, out, _ := runOut(t, args)
		if code != 0 {
			t.Fatalf("demo run %d: exit %d", i+1, code)
		}
		var report struct {
			Produced          int64    `json:"produced"`
			DurationSeconds   *float64 `json:"duration_seconds"`
			ProduceSeconds    *float64 `json:"produce_seconds"`
			ProducePerSecond  *float64 `json:"produce_messages_per_second"`
			PipelineSeconds   *float64 `json:"pipeline_seconds"`
			PipelinePerSecond *float64 `json:"pipeline_transactions_per_second"`
		}
		if err := json.Unmarshal([]byte(out), &report); err != nil || report.Produced != 3000 ||
			report.DurationSeconds == nil || *report.DurationSeconds <= 0 || report.ProduceSeconds == nil ||
			report.ProducePerSecond == nil || *report.ProducePerSecond <= 0 || report.PipelineSeconds == nil ||
			report.PipelinePerSecond == nil || *report.PipelinePerSecond <= 0 {
			t.Fatalf("demo run %d: --json has no duration or throughput (%v):\n%s", i+1, err, out)
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

// TestBarDraws checks the progress bar on a writer, and that a bar without
// one draws nothing.
func TestBarDraws(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	b := newBar(&buf, "produce", "msg")
	b.Start(200)
	b.Set(100)
	b.Set(200)
	b.End()
	if out := buf.String(); !strings.Contains(out, "produce") || !strings.Contains(out, "100%") ||
		!strings.Contains(out, "200/200") || !strings.Contains(out, "msg/s") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("bar output %q", out)
	}
	quiet := newBar(nil, "produce", "msg")
	quiet.Start(10)
	quiet.Set(5)
	quiet.End()
}

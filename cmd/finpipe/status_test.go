package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/produce"
)

// TestStatus prints every section against a real database and broker:
// first with nothing running, then with a scheduler and a worker that have
// finished a run, and as JSON.
func TestStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Postgres(t)
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 2)
	if _, err := produce.Produce(ctx, brokers, topic, produce.Options{Count: 5, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	store := migratedStoreWithDAGs(t, db)
	args := []string{"status", "--database-url", db, "--kafka-brokers", brokers, "--topic", topic, "--data-dir", t.TempDir()}
	status := func(extra ...string) string {
		t.Helper()
		code, out, _ := runOut(t, append(args, extra...))
		if code != 0 {
			t.Fatalf("status: exit %d", code)
		}
		return out
	}
	out := status()
	for _, want := range []string{"SCHEDULERS\n  none running", "WORKERS\n  none", "TASK QUEUE\n  queued 0",
		"KAFKA LAG (topic " + topic, "total 5 ", "LAST RUNS", "example_etl"} {
		if !strings.Contains(out, want) {
			t.Errorf("idle status lacks %q:\n%s", want, out)
		}
	}

	reg, err := dags.Registry(dags.Pipeline{})
	if err != nil {
		t.Fatal(err)
	}
	startEngine(t, store, reg)
	run1, err := store.TriggerRun(ctx, "example_etl", scheduler.TriggerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := waitForState(t, store, run1.RunID); st != scheduler.RunSuccess {
		t.Fatalf("run %s", st)
	}
	out = status()
	for _, want := range []string{"SCHEDULERS\n  ok   connected", "HEALTH", "  ok ", "example_etl", "success"} {
		if !strings.Contains(out, want) {
			t.Errorf("busy status lacks %q:\n%s", want, out)
		}
	}
	var r statusReport
	if err := json.Unmarshal([]byte(status("--json")), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Schedulers) != 1 || len(r.Workers) != 1 || len(r.Kafka.Lag) != 2 || r.Tasks["success"] == 0 {
		t.Errorf("json report %+v", r)
	}
}

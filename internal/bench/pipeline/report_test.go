package pipeline

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/tasks/ingest"
)

// The report says how the pipeline ran: the batch and Gold interval it was
// given, and the Go memory limit in force, 0 for the runtime's "none"
// (math.MaxInt64), which is what a process without GOMEMLIMIT has.
func TestSettingsOfReportsBatchIntervalAndMemoryLimit(t *testing.T) {
	o := Options{MaxBatch: 200_000, AggregateEvery: 10 * time.Second, IngestGroups: 0, Workers: 4}
	r := settingsOf(o, math.MaxInt64)
	if r.MaxBatch != 200_000 || r.AggregateEverySeconds != 10 || r.IngestGroups != 1 || r.Workers != 4 {
		t.Errorf("settings = batch %d, every %gs, groups %d, workers %d; want 200000, 10s, 1, 4",
			r.MaxBatch, r.AggregateEverySeconds, r.IngestGroups, r.Workers)
	}
	if r.MemoryLimitMB != 0 {
		t.Errorf("no limit reported as %g MB, want 0", r.MemoryLimitMB)
	}
	if got := settingsOf(o, 384<<20).MemoryLimitMB; got != 384 {
		t.Errorf("GOMEMLIMIT=384MiB reported as %g MB", got)
	}

	var out bytes.Buffer
	if err := r.Print(&out, true); err != nil {
		t.Fatal(err)
	}
	var j map[string]any
	if err := json.Unmarshal(out.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float64{"max_batch": 200_000, "aggregate_every_seconds": 10, "gomemlimit_mb": 0, "workers": 4} {
		if got, ok := j[k].(float64); !ok || got != want {
			t.Errorf("JSON %s = %v, want %v", k, j[k], want)
		}
	}
	out.Reset()
	if err := r.Print(&out, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "batch 200000 records") || !strings.Contains(out.String(), "GOMEMLIMIT not set") {
		t.Errorf("text report lacks the settings:\n%s", out.String())
	}
}

// The bench must measure what the product runs: the defaults it takes
// (internal/config's, as cmd/finpipe registers them) are the ones the
// shipped pipeline falls back to when a setting is zero.
func TestProductDefaultsAreThePipelines(t *testing.T) {
	d := config.Default()
	if d.MaxBatch != ingest.DefaultMaxRecords {
		t.Errorf("FINPIPE_MAX_BATCH defaults to %d, ingest's DefaultMaxRecords is %d", d.MaxBatch, ingest.DefaultMaxRecords)
	}
	if d.AggregateEvery != dags.DefaultAggregateEvery {
		t.Errorf("FINPIPE_AGGREGATE_EVERY defaults to %s, the DAG's to %s", d.AggregateEvery, dags.DefaultAggregateEvery)
	}
}

package dags

import (
	"testing"

	"github.com/finpipe/finpipe/internal/config"
)

// TestIngestGroupsShapeTheMedallionDAG: FINPIPE_INGEST_GROUPS decides how
// many ingest tasks a run has (one by default), all upstream of clean.
func TestIngestGroupsShapeTheMedallionDAG(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	if d := Medallion(PipelineFrom(cfg, "", nil)); d.Lookup("ingest") == nil || len(d.Tasks()) != 3 {
		t.Fatalf("default: %d tasks, want ingest → clean → aggregate", len(d.Tasks()))
	}
	cfg.IngestGroups = 3
	d := Medallion(PipelineFrom(cfg, "", nil))
	for _, id := range []string{"ingest_0", "ingest_1", "ingest_2", "clean", "aggregate"} {
		if d.Lookup(id) == nil {
			t.Errorf("no task %q", id)
		}
	}
	if len(d.Tasks()) != 5 {
		t.Errorf("%d tasks, want 5", len(d.Tasks()))
	}
}

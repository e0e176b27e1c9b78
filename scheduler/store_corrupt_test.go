package scheduler

import (
	"context"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// TestCorruptConfIsAnError: a conf or params column that holds JSON but
// not an object (written by hand, or by another tool) is reported, never
// read as an empty map: a task run with settings nobody gave it is worse
// than a failed read.
func TestCorruptConfIsAnError(t *testing.T) {
	s, url := newTestStoreURL(t)
	ctx := context.Background()
	d := NewDAG("corrupt", DAGOptions{})
	d.Task("t", noop, TaskOptions{})
	if err := s.SyncDAGs(ctx, mustRegistry(t, d)); err != nil {
		t.Fatal(err)
	}
	run := trigger(t, s, "corrupt", map[string]any{"k": "v"})
	if _, err := pgstore.Exec(ctx, url, `UPDATE dag_runs SET conf = '[1, 2]' WHERE run_id = $1`, run.RunID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRun(ctx, run.RunID); err == nil || !strings.Contains(err.Error(), "conf of run") {
		t.Fatalf("GetRun of a run whose conf is an array: %v", err)
	}
	if _, err := pgstore.Exec(ctx, url, `UPDATE dags SET params = '"x"' WHERE dag_id = 'corrupt'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDAG(ctx, "corrupt"); err == nil || !strings.Contains(err.Error(), "params of DAG") {
		t.Fatalf("GetDAG of a DAG whose params are a string: %v", err)
	}
}

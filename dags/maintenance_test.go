package dags

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/maintenance"
)

// TestLakeMaintenanceDAG runs the DAG's tasks as a worker would for the
// @daily run covering one day: optimize compacts that day's Bronze
// partition; vacuum does nothing unless it is the weekly run or conf asks.
func TestLakeMaintenanceDAG(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := Pipeline{Lake: lake.Opener(t.TempDir(), nil)}
	reg, err := scheduler.NewRegistry(LakeMaintenance(p))
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.Lake()
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC) // a Wednesday
	for i := 0; i < 3; i++ {
		row := lake.BronzeRow("transactions", 0, int64(i), day.Add(time.Hour), nil, []byte(`{}`), day)
		if _, err := l.Bronze.Append(ctx, []delta.Row{row}, delta.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	runTask := func(task string, conf map[string]any) error {
		return scheduler.RunTaskTest(ctx, reg, LakeMaintenanceDAG, task, day, conf, log)
	}
	if err := runTask("optimize", nil); err != nil {
		t.Fatal(err)
	}
	s, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Files()); n != 1 {
		t.Fatalf("%d Bronze files after optimizing %s, want 1", n, lake.DateString(day))
	}

	orphan := filepath.Join(l.Path(lake.BronzeTransactions), "ingest_date=2026-03-04", "orphan.parquet")
	if err := os.WriteFile(orphan, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-30 * 24 * time.Hour)
	if err := os.Chtimes(orphan, old, old); err != nil {
		t.Fatal(err)
	}
	if err := runTask("vacuum", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); err != nil {
		t.Fatalf("a Wednesday run vacuumed: %v", err)
	}
	if err := runTask("vacuum", map[string]any{"vacuum": "yes"}); err == nil {
		t.Error(`conf {"vacuum": "yes"} accepted`)
	}
	if err := runTask("vacuum", map[string]any{"vacuum": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("forced vacuum left the orphan: %v", err)
	}
	// The weekly run: the one covering a Sunday.
	if err := os.WriteFile(orphan, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(orphan, old, old); err != nil {
		t.Fatal(err)
	}
	sunday := time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)
	if err := scheduler.RunTaskTest(ctx, reg, LakeMaintenanceDAG, "vacuum", sunday, nil, log); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("Sunday's run did not vacuum: %v", err)
	}
}

// TestLakeCompactionDAG runs lake_compaction's task as a worker would:
// with a partition past the policy's file count it compacts it; run again
// it finds nothing due and commits nothing.
func TestLakeCompactionDAG(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := Pipeline{Lake: lake.Opener(t.TempDir(), nil), Compaction: maintenance.CompactionPolicy{MinSmallFiles: 4}}
	reg, err := scheduler.NewRegistry(LakeCompaction(p))
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.Lake()
	if err != nil {
		t.Fatal(err)
	}
	day := lake.Date(time.Now())
	for i := 0; i < 4; i++ {
		row := lake.BronzeRow("transactions", 0, int64(i), day.Add(time.Hour), nil, []byte(`{}`), day)
		if _, err := l.Bronze.Append(ctx, []delta.Row{row}, delta.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for run, wantFiles := range []int{1, 1} {
		before, err := l.Bronze.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := scheduler.RunTaskTest(ctx, reg, LakeCompactionDAG, "compact", day, nil, log); err != nil {
			t.Fatal(err)
		}
		s, err := l.Bronze.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(s.Files()); n != wantFiles {
			t.Fatalf("run %d: %d Bronze files, want %d", run, n, wantFiles)
		}
		if run == 1 && s.Version() != before.Version() {
			t.Errorf("a run with nothing due committed version %d", s.Version())
		}
	}
}

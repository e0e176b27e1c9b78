package maintenance

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
)

// bronzeDay appends n one-row commits to Bronze's partition of day.
func bronzeDay(t *testing.T, l *lake.Lake, day time.Time, n int, offset *int64) {
	t.Helper()
	for i := 0; i < n; i++ {
		*offset++
		row := lake.BronzeRow("transactions", 0, *offset, day.Add(time.Hour), []byte("k"), []byte(`{}`), time.Now())
		if _, err := l.Bronze.Append(context.Background(), []delta.Row{row}, delta.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// filesPerPartition counts the live files of each ingest_date.
func filesPerPartition(t *testing.T, tbl *delta.Table) map[string]int {
	t.Helper()
	s, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range s.Files() {
		out[f.PartitionValues["ingest_date"]]++
	}
	return out
}

func rowCount(t *testing.T, tbl *delta.Table) int {
	t.Helper()
	return len(testenv.TableRows(t, tbl))
}

// TestOptimizeCompactsOnlyTheGivenDays: the day's partition ends as one
// file with the same rows; other days' files and other tables are left
// alone.
func TestOptimizeCompactsOnlyTheGivenDays(t *testing.T) {
	t.Parallel()
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	today := lake.Date(time.Now())
	yesterday := today.AddDate(0, 0, -1)
	var offset int64
	bronzeDay(t, l, yesterday, 4, &offset)
	bronzeDay(t, l, today, 2, &offset)
	y, d := lake.DateString(yesterday), lake.DateString(today)

	res, err := Optimize(context.Background(), l, []time.Time{yesterday})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(lake.Specs()) {
		t.Fatalf("%d results, want one per table", len(res))
	}
	for _, r := range res {
		want := int64(-1)
		if r.Table == lake.BronzeTransactions {
			if r.FilesRemoved != 4 || r.FilesAdded != 1 || r.Rows != 4 {
				t.Errorf("bronze: %+v, want 4 files into 1 with 4 rows", r.OptimizeResult)
			}
			continue
		}
		if r.Version != want {
			t.Errorf("%s: committed %d with nothing to compact", r.Table, r.Version)
		}
	}
	if got := filesPerPartition(t, l.Bronze); got[y] != 1 || got[d] != 2 {
		t.Errorf("files per partition %v, want %s:1 %s:2", got, y, d)
	}
	if n := rowCount(t, l.Bronze); n != 6 {
		t.Errorf("%d rows after optimize, want 6", n)
	}
	// A second pass finds nothing to do.
	res, err = Optimize(context.Background(), l, []time.Time{yesterday})
	if err != nil || res[0].Version != -1 {
		t.Errorf("second optimize %+v %v", res, err)
	}
}

// TestVacuumRemovesOldUnreferencedFiles: an orphan older than the retention
// goes; files the optimize just replaced stay until the retention passes.
func TestVacuumRemovesOldUnreferencedFiles(t *testing.T) {
	t.Parallel()
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	day := lake.Date(time.Now()).AddDate(0, 0, -1)
	var offset int64
	bronzeDay(t, l, day, 3, &offset)
	if _, err := Optimize(context.Background(), l, []time.Time{day}); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(l.Path(lake.BronzeTransactions), "ingest_date="+lake.DateString(day), "part-orphan.parquet")
	if err := os.WriteFile(orphan, []byte("left by a failed write"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-8 * 24 * time.Hour)
	if err := os.Chtimes(orphan, old, old); err != nil {
		t.Fatal(err)
	}
	res, err := Vacuum(context.Background(), l, delta.DefaultVacuumRetention)
	if err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for _, r := range res {
		for _, f := range r.Files {
			deleted = append(deleted, r.Table+"/"+f)
		}
	}
	want := lake.BronzeTransactions + "/ingest_date=" + lake.DateString(day) + "/part-orphan.parquet"
	if len(deleted) != 1 || deleted[0] != want {
		t.Fatalf("deleted %q, want only %s", deleted, want)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("orphan still there: %v", err)
	}
	if n := rowCount(t, l.Bronze); n != 3 {
		t.Errorf("%d rows after vacuum, want 3", n)
	}
}

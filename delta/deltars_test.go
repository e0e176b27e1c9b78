package delta_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
)

// checkWithDeltaRS has delta-rs read the table's latest version.
func checkWithDeltaRS(t *testing.T, python string, tbl *delta.Table) {
	t.Helper()
	testenv.CheckWithDeltaRS(t, python, tbl.Path())
}

// TestDeltaRSReadsWhatWeWrite writes each kind of table the pipeline makes
// and checks that delta-rs reads the same version, schema and rows.
func TestDeltaRSReadsWhatWeWrite(t *testing.T) {
	python := testenv.DeltaRS(t)
	ctx := context.Background()
	d1, d2, d3 := delta.Date(2024, 5, 1), delta.Date(2024, 5, 2), delta.Date(2024, 5, 3)
	rowsFor := func(day time.Time, from, n int) []delta.Row {
		all := delta.SilverRows(from + n)[from:]
		for _, r := range all {
			r[len(r)-1] = day
		}
		return all
	}
	newSilver := func(t *testing.T) *delta.Table {
		tbl, err := delta.Create(filepath.Join(t.TempDir(), "silver"), delta.SilverSchema, []string{"event_date"})
		if err != nil {
			t.Fatal(err)
		}
		return tbl
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Run("partitioned", func(t *testing.T) {
		tbl := newSilver(t)
		must(tbl.Append(ctx, delta.SilverRows(5000), delta.CommitOptions{Txns: []delta.Txn{{AppID: "silver<-bronze", Version: 1}}}))
		checkWithDeltaRS(t, python, tbl)
	})
	t.Run("all types with decimals, timestamps and null partitions", func(t *testing.T) {
		schema, parts := delta.AllTypesSchema()
		tbl, err := delta.Create(filepath.Join(t.TempDir(), "types"), schema, parts)
		if err != nil {
			t.Fatal(err)
		}
		must(tbl.Append(ctx, delta.AllTypesRows(), delta.CommitOptions{}))
		checkWithDeltaRS(t, python, tbl)
	})
	t.Run("after overwrite", func(t *testing.T) {
		tbl := newSilver(t)
		must(tbl.Append(ctx, append(rowsFor(d1, 0, 100), rowsFor(d2, 100, 100)...), delta.CommitOptions{}))
		must(tbl.OverwritePartitions(ctx, []map[string]string{{"event_date": "2024-05-01"}, {"event_date": "2024-05-03"}},
			append(rowsFor(d1, 200, 10), rowsFor(d3, 210, 10)...), delta.CommitOptions{Txns: []delta.Txn{{AppID: "gold", Version: 2}}}))
		checkWithDeltaRS(t, python, tbl)
	})
	t.Run("after optimize and vacuum", func(t *testing.T) {
		tbl := newSilver(t)
		for i := 0; i < 5; i++ {
			must(tbl.Append(ctx, append(rowsFor(d1, i*20, 10), rowsFor(d2, i*20+10, 10)...), delta.CommitOptions{}))
		}
		must(tbl.Optimize(ctx, nil))
		checkWithDeltaRS(t, python, tbl)
		must(tbl.Vacuum(ctx, 0, false))
		checkWithDeltaRS(t, python, tbl)
	})
	t.Run("past a checkpoint", func(t *testing.T) {
		tbl := newSilver(t)
		for i := 0; i < 23; i++ {
			must(tbl.Append(ctx, rowsFor(d1, i*7, 7), delta.CommitOptions{Txns: []delta.Txn{{AppID: "ingest-transactions-0", Version: int64(i)}}}))
		}
		must(tbl.OverwritePartitions(ctx, []map[string]string{{"event_date": "2024-05-01"}}, rowsFor(d1, 0, 3), delta.CommitOptions{}))
		if _, err := os.Stat(filepath.Join(tbl.Path(), "_delta_log", "00000000000000000020.checkpoint.parquet")); err != nil {
			t.Fatal(err)
		}
		// Without the commits the checkpoint covers, delta-rs must read the
		// checkpoint this package wrote.
		for v := int64(0); v < 20; v++ {
			os.Remove(delta.CommitFile(tbl.Path(), v))
		}
		checkWithDeltaRS(t, python, tbl)
	})
	t.Run("the check notices a difference", func(t *testing.T) {
		tbl := newSilver(t)
		must(tbl.Append(ctx, delta.SilverRows(3), delta.CommitOptions{}))
		snap, _ := tbl.Snapshot(ctx)
		rows, _ := snap.Rows(ctx, nil)
		b, _ := snap.Schema().RowJSON(rows[0])
		f := filepath.Join(t.TempDir(), "wrong.jsonl")
		os.WriteFile(f, append(b, '\n'), 0o644)
		if out, err := exec.Command(python, testenv.DeltaRSScript("check.py"), tbl.Path(), f).CombinedOutput(); err == nil {
			t.Fatalf("check.py accepted 1 expected row for a 3-row table: %s", out)
		}
	})
}

// TestReadTableWrittenByDeltaRS has delta-rs write a table (appends, a
// predicate overwrite, a delete, a compaction, a checkpoint) and checks that
// this package reads the same rows as delta-rs at the latest and at older
// versions, and that delta-rs's stats describe the files as this package
// reads them.
func TestReadTableWrittenByDeltaRS(t *testing.T) {
	python := testenv.DeltaRS(t)
	path := filepath.Join(t.TempDir(), "rs")
	out, err := exec.Command(python, testenv.DeltaRSScript("write.py"), path).CombinedOutput()
	if err != nil {
		t.Fatalf("write.py: %v\n%s", err, out)
	}
	want, _ := strconv.ParseInt(string(bytes.TrimSpace(out)), 10, 64)
	tbl, err := delta.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	snap, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Version() != want {
		t.Fatalf("version = %d, delta-rs wrote %d", snap.Version(), want)
	}
	delta.CheckStatsMatchRows(t, snap)
	testenv.CheckSnapshotWithDeltaRS(t, python, path, snap, false)
	for _, v := range []int64{0, 5, want - 1} {
		old, err := tbl.SnapshotAt(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		testenv.CheckSnapshotWithDeltaRS(t, python, path, old, true)
	}
}

// TestTimestampNtzWithDeltaRS: delta-rs reads the timestamp_ntz tables
// this package writes (protocol 3/7 with timestampNtz, as the feature
// requires), and this package reads the ones delta-rs writes, the same.
func TestTimestampNtzWithDeltaRS(t *testing.T) {
	python := testenv.DeltaRS(t)
	ctx := context.Background()
	t.Run("written here", func(t *testing.T) {
		schema := delta.Schema{Fields: []delta.Field{
			{Name: "id", Type: "long", Nullable: true},
			{Name: "local_time", Type: "timestamp_ntz", Nullable: true},
			{Name: "day", Type: "timestamp_ntz", Nullable: true},
		}}
		tbl, err := delta.Create(filepath.Join(t.TempDir(), "ntz"), schema, []string{"day"})
		if err != nil {
			t.Fatal(err)
		}
		paris := time.FixedZone("Paris", 3600)
		rows := []delta.Row{
			{int64(1), time.Date(2026, 11, 20, 8, 30, 0, 123456000, time.UTC), time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)},
			{int64(2), time.Date(1999, 12, 31, 23, 59, 59, 0, paris), time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)},
			{int64(3), nil, nil},
		}
		if _, err := tbl.Append(ctx, rows, delta.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
		snap, _ := tbl.Snapshot(ctx)
		if p := snap.Protocol(); p.MinReaderVersion != 3 || p.MinWriterVersion != 7 {
			t.Fatalf("protocol %+v: a timestamp_ntz column needs the timestampNtz feature", p)
		}
		got, err := snap.Rows(ctx, func(pv map[string]string) bool { return pv["day"] == "" })
		if err != nil || len(got) != 1 {
			t.Fatalf("null partition: %v %v", got, err)
		}
		all, _ := snap.Rows(ctx, nil)
		for _, r := range all {
			if r[0] == int64(2) && !r[1].(time.Time).Equal(time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)) {
				t.Fatalf("wall clock %v of a Paris time not kept: %v", rows[1][1], r[1])
			}
		}
		checkWithDeltaRS(t, python, tbl)
	})
	t.Run("written by delta-rs", func(t *testing.T) {
		// delta-rs also records column mapping metadata here but does not
		// list the feature in the protocol: the property must then be
		// ignored, as the protocol says, and columns read by name.
		path := filepath.Join(t.TempDir(), "rs_ntz")
		script := `
import sys, datetime, pyarrow as pa, deltalake
t = pa.table({"id": pa.array([1, 2, 3], pa.int64()),
              "ts": pa.array([datetime.datetime(2026, 1, 1, 12, 0, 0), None, datetime.datetime(1999, 12, 31, 23, 59, 59, 123456)], pa.timestamp("us"))})
deltalake.write_deltalake(sys.argv[1], t, configuration={"delta.columnMapping.mode": "name"})
`
		if out, err := exec.Command(python, "-c", script, path).CombinedOutput(); err != nil {
			t.Fatalf("delta-rs write: %v\n%s", err, out)
		}
		testenv.CheckWithDeltaRS(t, python, path)
	})
}

// TestSparkTablesAsDeltaRSReadsThem: the Spark tables delta-rs reads
// correctly read the same in both. delta-rs 1.6.6 refuses deletion vectors
// and V2 checkpoints, and reads Spark's column-mapped tables as all nulls,
// so for those Spark's own expected rows are the reference (spark_test.go).
func TestSparkTablesAsDeltaRSReadsThem(t *testing.T) {
	python := testenv.DeltaRS(t)
	testenv.CheckWithDeltaRS(t, python, filepath.Join(delta.ReferenceDir(t), "spark", "timestamp_ntz", "delta"))
}

package delta

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// deltaRSPython returns the Python that has the deltalake module:
// $FINPIPE_PYTHON, else the repository's .venv, else python3. The test is
// skipped, saying why, only when no Python or no deltalake module is found.
func deltaRSPython(t *testing.T) (python, script string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(file), "..")
	script = filepath.Join(repo, "scripts", "deltars", "check.py")
	python = os.Getenv("FINPIPE_PYTHON")
	if python == "" {
		python = filepath.Join(repo, ".venv", "bin", "python")
		if _, err := os.Stat(python); err != nil {
			python = "python3"
		}
	}
	if _, err := exec.LookPath(python); err != nil {
		t.Skipf("delta-rs check skipped: no Python (%s): set FINPIPE_PYTHON or create .venv with `python3 -m venv .venv && .venv/bin/pip install deltalake pyarrow`", python)
	}
	if out, err := exec.Command(python, "-c", "import deltalake, pyarrow").CombinedOutput(); err != nil {
		t.Skipf("delta-rs check skipped: %s has no deltalake module (`%s -m pip install deltalake pyarrow`): %s", python, python, bytes.TrimSpace(out))
	}
	return python, script
}

// checkWithDeltaRS has delta-rs read the table and compare its latest
// version, schema and rows with what this package reads.
func checkWithDeltaRS(t *testing.T, python, script string, tbl *Table) {
	t.Helper()
	snap, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshotWithDeltaRS(t, python, script, snap, "--version")
}

// checkSnapshotWithDeltaRS compares one snapshot with delta-rs's reading of
// the same version: versionFlag is "--version" for the latest (delta-rs
// must agree it is the latest) or "--at" to time-travel delta-rs to it.
func checkSnapshotWithDeltaRS(t *testing.T, python, script string, snap *Snapshot, versionFlag string) {
	t.Helper()
	var expected bytes.Buffer
	err := snap.Scan(context.Background(), nil, func(r Row) error {
		b, err := snap.Schema().RowJSON(r)
		expected.Write(b)
		expected.WriteByte('\n')
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rowsFile := filepath.Join(t.TempDir(), "expected.jsonl")
	if err := os.WriteFile(rowsFile, expected.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	type field struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	var fields []field
	for _, f := range snap.Schema().Fields {
		fields = append(fields, field{f.Name, f.Type})
	}
	schemaJSON, _ := json.Marshal(fields)
	args := []string{script, snap.root, rowsFile, versionFlag, strconv.FormatInt(snap.Version(), 10), "--schema", string(schemaJSON)}
	for app, v := range snap.Txns() {
		args = append(args, "--txn", app+"="+strconv.FormatInt(v, 10))
	}
	cmd := exec.Command(python, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("delta-rs disagrees with this package (version %d):\n%s", snap.Version(), out)
	}
	t.Logf("delta-rs: %s", bytes.TrimSpace(out))
}

// TestDeltaRSReadsWhatWeWrite writes each kind of table the pipeline makes
// and checks that delta-rs reads the same version, schema and rows.
func TestDeltaRSReadsWhatWeWrite(t *testing.T) {
	python, script := deltaRSPython(t)
	ctx := context.Background()
	d1, d2, d3 := date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 3)
	rowsFor := func(day time.Time, from, n int) []Row {
		all := silverRows(from + n)[from:]
		for _, r := range all {
			r[len(r)-1] = day
		}
		return all
	}
	newSilver := func(t *testing.T) *Table {
		tbl, err := Create(filepath.Join(t.TempDir(), "silver"), silverSchema, []string{"event_date"})
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
		must(tbl.Append(ctx, silverRows(5000), CommitOptions{Txns: []Txn{{AppID: "silver<-bronze", Version: 1}}}))
		checkWithDeltaRS(t, python, script, tbl)
	})
	t.Run("all types with decimals, timestamps and null partitions", func(t *testing.T) {
		schema, parts := allTypesSchema()
		tbl, err := Create(filepath.Join(t.TempDir(), "types"), schema, parts)
		if err != nil {
			t.Fatal(err)
		}
		must(tbl.Append(ctx, allTypesRows(), CommitOptions{}))
		checkWithDeltaRS(t, python, script, tbl)
	})
	t.Run("after overwrite", func(t *testing.T) {
		tbl := newSilver(t)
		must(tbl.Append(ctx, append(rowsFor(d1, 0, 100), rowsFor(d2, 100, 100)...), CommitOptions{}))
		must(tbl.OverwritePartitions(ctx, []map[string]string{{"event_date": "2024-05-01"}, {"event_date": "2024-05-03"}},
			append(rowsFor(d1, 200, 10), rowsFor(d3, 210, 10)...), CommitOptions{Txns: []Txn{{AppID: "gold", Version: 2}}}))
		checkWithDeltaRS(t, python, script, tbl)
	})
	t.Run("after optimize and vacuum", func(t *testing.T) {
		tbl := newSilver(t)
		for i := 0; i < 5; i++ {
			must(tbl.Append(ctx, append(rowsFor(d1, i*20, 10), rowsFor(d2, i*20+10, 10)...), CommitOptions{}))
		}
		must(tbl.Optimize(ctx, nil))
		checkWithDeltaRS(t, python, script, tbl)
		must(tbl.Vacuum(ctx, 0, false))
		checkWithDeltaRS(t, python, script, tbl)
	})
	t.Run("past a checkpoint", func(t *testing.T) {
		tbl := newSilver(t)
		for i := 0; i < 23; i++ {
			must(tbl.Append(ctx, rowsFor(d1, i*7, 7), CommitOptions{Txns: []Txn{{AppID: "ingest-transactions-0", Version: int64(i)}}}))
		}
		must(tbl.OverwritePartitions(ctx, []map[string]string{{"event_date": "2024-05-01"}}, rowsFor(d1, 0, 3), CommitOptions{}))
		if _, err := os.Stat(filepath.Join(tbl.Path(), "_delta_log", "00000000000000000020.checkpoint.parquet")); err != nil {
			t.Fatal(err)
		}
		// Without the commits the checkpoint covers, delta-rs must read the
		// checkpoint this package wrote.
		for v := int64(0); v < 20; v++ {
			os.Remove(commitFile(tbl.Path(), v))
		}
		checkWithDeltaRS(t, python, script, tbl)
	})
	t.Run("the check notices a difference", func(t *testing.T) {
		tbl := newSilver(t)
		must(tbl.Append(ctx, silverRows(3), CommitOptions{}))
		snap, _ := tbl.Snapshot(ctx)
		rows, _ := snap.Rows(ctx, nil)
		b, _ := snap.Schema().RowJSON(rows[0])
		f := filepath.Join(t.TempDir(), "wrong.jsonl")
		os.WriteFile(f, append(b, '\n'), 0o644)
		if out, err := exec.Command(python, script, tbl.Path(), f).CombinedOutput(); err == nil {
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
	python, script := deltaRSPython(t)
	path := filepath.Join(t.TempDir(), "rs")
	out, err := exec.Command(python, filepath.Join(filepath.Dir(script), "write.py"), path).CombinedOutput()
	if err != nil {
		t.Fatalf("write.py: %v\n%s", err, out)
	}
	want, _ := strconv.ParseInt(string(bytes.TrimSpace(out)), 10, 64)
	tbl, err := Open(path)
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
	checkStatsMatchRows(t, snap)
	checkSnapshotWithDeltaRS(t, python, script, snap, "--version")
	for _, v := range []int64{0, 5, want - 1} {
		old, err := tbl.SnapshotAt(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		checkSnapshotWithDeltaRS(t, python, script, old, "--at")
	}
}

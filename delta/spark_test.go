package delta

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// sparkCase is the folder of one table written by Spark 4.0.1 with Delta
// 4.0.0 (see the README beside the tables): delta/ and expected/.
func sparkCase(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(referenceDir(t), "spark", name)
}

// copyTable copies a reference table into a temporary folder, so that a
// test can add a checkpoint or damage a file without touching the original.
func copyTable(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "table")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// sparkValue renders a row value as the expected files of the Spark cases
// do (Python's json of Spark's rows): decimals at the column's scale,
// timestamps in UTC without a zone, dates as YYYY-MM-DD.
func sparkValue(dt dataType, v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case decimal.Decimal:
		return x.StringFixed(int32(dt.scale))
	case time.Time:
		if dt.kind == kindDate {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format("2006-01-02T15:04:05.999999")
	}
	return canon(v)
}

// expectedSparkRows reads one expected/*.jsonl file as sorted row keys.
func expectedSparkRows(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		parts := make([]string, 0, len(m))
		for k, v := range m {
			s := "null"
			if v != nil {
				s = canon(v)
				if n, ok := v.(json.Number); ok {
					s = n.String()
				}
			}
			parts = append(parts, k+"="+s)
		}
		slices.Sort(parts)
		out = append(out, strings.Join(parts, ";"))
	}
	slices.Sort(out)
	return out
}

// snapshotSparkRows reads a snapshot as sorted row keys in the form of
// expectedSparkRows.
func snapshotSparkRows(t *testing.T, s *Snapshot) []string {
	t.Helper()
	fields := s.Schema().Fields
	var out []string
	err := s.Scan(context.Background(), nil, func(r Row) error {
		parts := make([]string, len(fields))
		for i, f := range fields {
			dt, err := parseType(f.Type)
			if err != nil {
				return err
			}
			parts[i] = f.Name + "=" + sparkValue(dt, r[i])
		}
		slices.Sort(parts)
		out = append(out, strings.Join(parts, ";"))
		return nil
	})
	if err != nil {
		t.Fatalf("version %d: %v", s.Version(), err)
	}
	slices.Sort(out)
	return out
}

// sameSparkRows fails the test unless the snapshot holds exactly the rows
// of the expected file.
func sameSparkRows(t *testing.T, s *Snapshot, expectedFile string) {
	t.Helper()
	got, want := snapshotSparkRows(t, s), expectedSparkRows(t, expectedFile)
	if slices.Equal(got, want) {
		return
	}
	missing, extra := 0, 0
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok {
			if missing++; missing <= 3 {
				t.Errorf("missing row %s", w)
			}
		}
	}
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok {
			if extra++; extra <= 3 {
				t.Errorf("unexpected row %s", g)
			}
		}
	}
	t.Fatalf("version %d: %d rows, want %d (%d missing, %d unexpected) as in %s",
		s.Version(), len(got), len(want), missing, extra, expectedFile)
}

// TestSparkTables reads every table Spark wrote at every version that has
// expected rows: exactly Spark's rows, no more, no fewer.
func TestSparkTables(t *testing.T) {
	for _, name := range []string{"deletion_vectors", "column_mapping_name", "column_mapping_id", "timestamp_ntz", "checkpoint_v2"} {
		t.Run(name, func(t *testing.T) {
			checkSparkCase(t, filepath.Join(sparkCase(t, name), "delta"), filepath.Join(sparkCase(t, name), "expected"))
		})
	}
}

// checkSparkCase compares the table at root with each expected file in
// expectedDir (latest.jsonl, vN.jsonl).
func checkSparkCase(t *testing.T, root, expectedDir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(expectedDir, "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no expected rows in %s", expectedDir)
	}
	tbl, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".jsonl")
		t.Run(name, func(t *testing.T) {
			snap, err := tbl.Snapshot(context.Background())
			if name != "latest" {
				v, perr := strconv.ParseInt(strings.TrimPrefix(name, "v"), 10, 64)
				if perr != nil {
					t.Fatalf("expected file %s names no version", f)
				}
				snap, err = tbl.SnapshotAt(context.Background(), v)
			}
			if err != nil {
				t.Fatal(err)
			}
			sameSparkRows(t, snap, f)
		})
	}
}

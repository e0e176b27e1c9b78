package delta

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/reference"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/shopspring/decimal"
)

// referenceDir is the delta folder of the reference tables that other engines
// wrote, used in place; see package reference for where it is looked for and
// what happens in a bare clone.
func referenceDir(t testing.TB) string {
	t.Helper()
	return reference.Need(t, "delta")
}

// referenceSeeds lists the reference files that match pattern (relative to the
// delta folder) for a fuzzer's seed corpus: none in a bare clone, where the
// fuzzer still runs on its own seeds.
func referenceSeeds(t testing.TB, pattern string) []string {
	t.Helper()
	dir, err := reference.Dir("delta")
	if err != nil {
		if reference.Required() {
			t.Fatal(err)
		}
		t.Log(err)
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(dir, pattern))
	return paths
}

// canon renders a row value in one textual form so that rows read by this
// package compare with rows decoded from expected-result files.
func canon(v any) string {
	switch x := v.(type) {
	case nil:
		return "<null>"
	case string:
		return x
	case []byte:
		return string(x)
	case int64, int32, int16, int8, int:
		return fmt.Sprint(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case decimal.Decimal:
		return x.String()
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// rowKey renders a row as "col=value;…" in column-name order.
func rowKey(names []string, r Row) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + canon(r[i])
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

// multiset returns the sorted keys of rows, for unordered comparison.
func multiset(names []string, rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = rowKey(names, r)
	}
	slices.Sort(out)
	return out
}

// readPlainParquet reads a flat Parquet file (an expected-result file)
// with types inferred from the file, returning column names and rows.
func readPlainParquet(t testing.TB, path string) ([]string, []Row) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var decs []decoder
	for _, col := range pf.Schema().Columns() {
		leaf, _ := pf.Schema().Lookup(col...)
		name := strings.Join(col, ".")
		dt := inferType(leaf.Node.Type())
		dec, err := newDecoder(Field{Name: name}, dt, leaf.Node)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		names = append(names, name)
		decs = append(decs, dec)
	}
	var rows []Row
	for _, rg := range pf.RowGroups() {
		rr := rg.Rows()
		buf := make([]parquet.Row, 64)
		for {
			n, err := rr.ReadRows(buf)
			for _, pr := range buf[:n] {
				r := make(Row, len(names))
				for _, v := range pr {
					if !v.IsNull() {
						if r[v.Column()], err = decs[v.Column()](v); err != nil {
							t.Fatal(err)
						}
					}
				}
				rows = append(rows, r)
			}
			if err != nil {
				break
			}
		}
		rr.Close()
	}
	return names, rows
}

func inferType(typ parquet.Type) dataType {
	if lt := typ.LogicalType(); lt != nil {
		switch x := lt.Value.(type) {
		case *format.StringType:
			return dataType{kind: kindString}
		case *format.DateType:
			return dataType{kind: kindDate}
		case *format.TimestampType:
			return dataType{kind: kindTimestamp}
		case *format.DecimalType:
			return dataType{kind: kindDecimal, precision: int(x.Precision), scale: int(x.Scale)}
		}
	}
	switch typ.Kind() {
	case parquet.Boolean:
		return dataType{kind: kindBoolean}
	case parquet.Int32:
		return dataType{kind: kindInteger}
	case parquet.Int64:
		return dataType{kind: kindLong}
	case parquet.Int96:
		return dataType{kind: kindTimestamp}
	case parquet.Float:
		return dataType{kind: kindFloat}
	case parquet.Double:
		return dataType{kind: kindDouble}
	}
	return dataType{kind: kindBinary}
}

// snapshotRows reads every row of a snapshot with the column names.
func snapshotRows(t testing.TB, s *Snapshot) ([]string, []Row) {
	t.Helper()
	rows, err := s.Rows(context.Background(), nil)
	if err != nil {
		t.Fatalf("rows of version %d: %v", s.Version(), err)
	}
	var names []string
	for _, f := range s.Schema().Fields {
		names = append(names, f.Name)
	}
	return names, rows
}

// sameRows fails the test unless got and want hold the same multiset of
// rows (column order may differ).
func sameRows(t testing.TB, gotNames []string, got []Row, wantNames []string, want []Row) {
	t.Helper()
	g, w := multiset(gotNames, got), multiset(wantNames, want)
	if !slices.Equal(g, w) {
		t.Fatalf("rows differ:\n got  %d: %v\n want %d: %v", len(g), g, len(w), w)
	}
}

package delta

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/shopspring/decimal"
)

// allTypesSchema has one column of every supported type, partitioned by a
// date and a string so that partition values of two types are exercised.
func allTypesSchema() (Schema, []string) {
	return Schema{Fields: []Field{
		{Name: "s", Type: "string", Nullable: true},
		{Name: "l", Type: "long", Nullable: true},
		{Name: "i", Type: "integer", Nullable: true},
		{Name: "sh", Type: "short", Nullable: true},
		{Name: "b", Type: "byte", Nullable: true},
		{Name: "d", Type: "double", Nullable: true},
		{Name: "f", Type: "float", Nullable: true},
		{Name: "ok", Type: "boolean", Nullable: true},
		{Name: "day", Type: "date", Nullable: true},
		{Name: "ts", Type: "timestamp", Nullable: true},
		{Name: "bin", Type: "binary", Nullable: true},
		{Name: "amount", Type: "decimal(18,2)", Nullable: true},
		{Name: "small", Type: "decimal(5,3)", Nullable: true},
		{Name: "big", Type: "decimal(38,2)", Nullable: true},
		{Name: "part_day", Type: "date", Nullable: true},
		{Name: "part_s", Type: "string", Nullable: true},
	}}, []string{"part_day", "part_s"}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func allTypesRows() []Row {
	ts := time.Date(2024, 3, 1, 12, 34, 56, 123456000, time.UTC)
	return []Row{
		{"héllo", int64(-1 << 40), int32(7), int16(-3), int8(4), 1.5, float32(2.25), true, date(2024, 1, 2), ts, []byte{0, 1, 255},
			decimal.RequireFromString("12345.67"), decimal.RequireFromString("-1.5"), decimal.RequireFromString("-123456789012345678901234567890.12"),
			date(2024, 1, 1), "a/b=c"},
		{"", int64(0), int32(-7), int16(0), int8(-128), -0.25, float32(0), false, date(1969, 12, 31), ts.Add(-time.Hour * 24 * 365 * 60), []byte{},
			decimal.RequireFromString("0.01"), decimal.RequireFromString("99.999"), decimal.RequireFromString("1"),
			date(2024, 1, 1), "a/b=c"},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
		{"x", int64(1), int32(1), int16(1), int8(1), 1.0, float32(1), true, date(2000, 2, 29), ts, []byte("x"),
			decimal.RequireFromString("-999999999999999.99"), decimal.RequireFromString("0"), decimal.RequireFromString("0.5"),
			date(2024, 1, 2), nil}, // "" and null are the same partition value
	}
}

func TestRoundTripAllTypes(t *testing.T) {
	ctx := context.Background()
	schema, parts := allTypesSchema()
	tbl, err := Create(filepath.Join(t.TempDir(), "t"), schema, parts)
	if err != nil {
		t.Fatal(err)
	}
	rows := allTypesRows()
	v, err := tbl.Append(ctx, rows, CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v != 1 {
		t.Fatalf("version = %d, want 1", v)
	}
	// A fresh Open reads what another process would see.
	again, err := Open(tbl.Path())
	if err != nil {
		t.Fatal(err)
	}
	snap, err := again.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Schema().Equal(schema) {
		t.Fatalf("schema = %v, want %v", snap.Schema(), schema)
	}
	names, got := snapshotRows(t, snap)
	sameRows(t, names, got, names, rows)
	checkStatsMatchRows(t, snap)
	if n := len(snap.Files()); n != 3 {
		t.Fatalf("files = %d, want one per partition (3)", n)
	}
	for _, f := range snap.Files() {
		st, ok := f.ParsedStats()
		if !ok || st.NumRecords == 0 {
			t.Fatalf("file %s has no stats: %q", f.Path, f.Stats)
		}
	}
	// Partition filter sees partitionValues strings; null is "".
	only, err := snap.Rows(ctx, func(pv map[string]string) bool { return pv["part_day"] == "" })
	if err != nil {
		t.Fatal(err)
	}
	if len(only) != 1 || only[0][0] != nil {
		t.Fatalf("null partition rows = %v", only)
	}
}

func TestWriteRejectsBadValues(t *testing.T) {
	ctx := context.Background()
	tbl, err := Create(filepath.Join(t.TempDir(), "t"), Schema{Fields: []Field{
		{Name: "id", Type: "string", Nullable: false},
		{Name: "amount", Type: "decimal(18,2)", Nullable: true},
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, row := range map[string]Row{
		"too many decimals": {"a", decimal.RequireFromString("1.001")},
		"too large":         {"a", decimal.RequireFromString("1e17")},
		"float for decimal": {"a", 1.5},
		"null not nullable": {nil, nil},
		"short row":         {"a"},
	} {
		if _, err := tbl.Append(ctx, []Row{row}, CommitOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	snap, _ := tbl.Snapshot(ctx)
	if snap.Version() != 0 || len(snap.Files()) != 0 {
		t.Fatalf("a failed write changed the table: version %d, %d files", snap.Version(), len(snap.Files()))
	}
}

func TestCreateIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t")
	schema, parts := allTypesSchema()
	if _, err := Create(path, schema, parts); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, schema, parts); err != nil {
		t.Fatalf("second Create: %v", err)
	}
	other := Schema{Fields: []Field{{Name: "x", Type: "long", Nullable: true}}}
	if _, err := Create(path, other, nil); !errors.Is(err, ErrSchemaMismatch) {
		t.Fatalf("Create with another schema: %v, want ErrSchemaMismatch", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none")); !errors.Is(err, ErrNotATable) {
		t.Fatalf("Open of an empty dir: %v, want ErrNotATable", err)
	}
}

func TestTxnIdempotency(t *testing.T) {
	ctx := context.Background()
	tbl, err := Create(filepath.Join(t.TempDir(), "t"), Schema{Fields: []Field{{Name: "n", Type: "long", Nullable: true}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A writer that commits batch k only when TxnVersion < k applies each
	// batch once however often it is retried.
	write := func(batch int64) {
		snap, err := tbl.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := snap.TxnVersion("app"); ok && v >= batch {
			return
		}
		if _, err := tbl.Append(ctx, []Row{{batch}}, CommitOptions{Txns: []Txn{{AppID: "app", Version: batch}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range []int64{1, 2, 2, 1, 3, 3} {
		write(b)
	}
	snap, _ := tbl.Snapshot(ctx)
	if v, ok := snap.TxnVersion("app"); !ok || v != 3 {
		t.Fatalf("TxnVersion = %d, %v; want 3", v, ok)
	}
	if _, ok := snap.TxnVersion("other"); ok {
		t.Fatal("unknown appId reported as committed")
	}
	_, rows := snapshotRows(t, snap)
	if len(rows) != 3 {
		t.Fatalf("rows = %v, want batches 1, 2, 3 once each", rows)
	}
}

func TestConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t")
	schema, parts := allTypesSchema()
	errs := make(chan error, 8)
	for i := 0; i < cap(errs); i++ {
		go func() {
			_, err := Create(path, schema, parts)
			errs <- err
		}()
	}
	for i := 0; i < cap(errs); i++ {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent Create: %v", err)
		}
	}
	tbl, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if snap, _ := tbl.Snapshot(context.Background()); snap.Version() != 0 {
		t.Fatalf("version = %d after concurrent creates, want 0", snap.Version())
	}
}

// TestPageIndexBounds checks the Parquet column index of written files:
// readers (Spark's parquet-mr among them) skip pages by these bounds, so a
// page's min/max must enclose its values. The string column holds only
// non-empty strings, so an empty bound would be wrong.
func TestPageIndexBounds(t *testing.T) {
	ctx := context.Background()
	tbl, err := Create(filepath.Join(t.TempDir(), "t"), silverSchema, []string{"event_date"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Append(ctx, silverRows(30_000), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	snap, _ := tbl.Snapshot(ctx)
	for _, f := range snap.Files() {
		file, err := os.Open(filepath.Join(tbl.Path(), f.Path))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := file.Stat()
		pf, err := parquet.OpenFile(file, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := pf.Schema().Lookup("currency")
		indexes := pf.ColumnIndexes()
		if len(indexes) == 0 {
			t.Fatalf("%s has no column index", f.Path)
		}
		ci := indexes[leaf.ColumnIndex] // one row group per file here
		for p := range ci.NullPages {
			lo, hi := string(ci.MinValues[p]), string(ci.MaxValues[p])
			if !ci.NullPages[p] && (lo == "" || hi == "" || lo > hi) {
				t.Fatalf("%s: currency page %d has bounds [%q, %q]", f.Path, p, lo, hi)
			}
		}
		file.Close()
	}
}

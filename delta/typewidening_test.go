package delta

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// widenTable writes a table with narrow types, then commits the schema
// change a type-widening engine would: the wider types with their
// delta.typeChanges and the typeWidening feature. Its files keep the
// narrow Parquet types.
func widenTable(t *testing.T, changes [][3]string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "widened")
	var narrow Schema
	for _, c := range changes {
		narrow.Fields = append(narrow.Fields, Field{Name: c[0], Type: c[1], Nullable: true})
	}
	tbl, err := Create(root, narrow, []string{"day"})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	rows := []Row{
		{int8(-7), int16(300), int32(-2_000_000_000), int32(42), float32(1.5), decimal.RequireFromString("123.45"), int64(-9), day},
		{nil, nil, nil, nil, nil, nil, nil, day},
	}
	if _, err := tbl.Append(context.Background(), rows, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range changes {
		fields = append(fields, fmt.Sprintf(`{\"name\":\"%s\",\"type\":\"%s\",\"nullable\":true,\"metadata\":{\"delta.typeChanges\":[{\"fromType\":\"%s\",\"toType\":\"%s\"}]}}`, c[0], c[2], c[1], c[2]))
	}
	schema := `{\"type\":\"struct\",\"fields\":[` + strings.Join(fields, ",") + `]}`
	commit := `{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["typeWidening"],"writerFeatures":["typeWidening"]}}` + "\n" +
		`{"metaData":{"id":"w","format":{"provider":"parquet","options":{}},"schemaString":"` + schema + `","partitionColumns":["day"],"configuration":{"delta.enableTypeWidening":"true"}}}`
	if err := putIfAbsent(context.Background(), fileStore{root}, 2, []byte(commit)); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestTypeWideningReadsOldFiles(t *testing.T) {
	root := widenTable(t, [][3]string{
		{"b", "byte", "integer"}, {"s", "short", "double"}, {"i", "integer", "long"},
		{"n", "integer", "decimal(12,2)"}, {"f", "float", "double"}, {"d", "decimal(5,2)", "decimal(9,4)"},
		{"l", "long", "decimal(22,1)"}, {"day", "date", "timestamp_ntz"},
	})
	snap, err := loadSnapshot(context.Background(), fileStore{root}, -1)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := snap.Rows(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		b, err := snap.Schema().RowJSON(r)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	want := []string{
		`{"b":-7,"s":300,"i":-2000000000,"n":"42.00","f":1.5,"d":"123.4500","l":"-9.0","day":"2024-05-01T00:00:00"}`,
		`{"b":null,"s":null,"i":null,"n":null,"f":null,"d":null,"l":null,"day":"2024-05-01T00:00:00"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, ok := rows[0][0].(int32); !ok {
		t.Fatalf("widened byte column reads as %T, want int32", rows[0][0])
	}
}

func TestUnsupportedTypeChangeIsRefused(t *testing.T) {
	root := widenTable(t, [][3]string{
		{"b", "byte", "byte"}, {"s", "short", "short"}, {"i", "integer", "integer"},
		{"n", "integer", "decimal(5,2)"}, // too few digits for every int
		{"f", "float", "float"}, {"d", "decimal(5,2)", "decimal(5,2)"}, {"l", "long", "long"}, {"day", "date", "date"},
	})
	_, err := loadSnapshot(context.Background(), fileStore{root}, -1)
	if !errors.Is(err, ErrUnsupportedFeature) || !strings.Contains(err.Error(), `column "n"`) || !strings.Contains(err.Error(), "integer to decimal(5,2)") {
		t.Fatalf("err = %v, want the unsupported change of column n named", err)
	}
}

func TestSupportedWidening(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{"byte", "long", true}, {"long", "integer", false}, {"integer", "double", true}, {"long", "double", false},
		{"float", "double", true}, {"double", "float", false}, {"date", "timestamp_ntz", true}, {"date", "timestamp", false},
		{"decimal(5,2)", "decimal(7,3)", true}, {"decimal(5,2)", "decimal(6,3)", true}, {"decimal(5,2)", "decimal(6,4)", false}, {"decimal(5,2)", "decimal(5,1)", false},
		{"short", "decimal(10,0)", true}, {"integer", "decimal(11,2)", false}, {"long", "decimal(20,0)", true}, {"long", "decimal(21,2)", false},
		{"string", "binary", false},
	} {
		if got := supportedWidening(c.from, c.to); got != c.ok {
			t.Errorf("%s → %s: %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}

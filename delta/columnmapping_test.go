package delta

import (
	"context"
	"path/filepath"
	"testing"
)

// TestColumnMappingByIDIgnoresNames: in id mode, data file columns are
// found by field id, not by name. Swapping two columns' physical names in
// the schema must not change what is read (by name, the long and string
// columns would swap and fail to decode).
func TestColumnMappingByIDIgnoresNames(t *testing.T) {
	c := sparkCase(t, "column_mapping_id")
	root := copyTable(t, filepath.Join(c, "delta"))
	const idName, customerName = "col-bd23e99d-a2bc-4e5b-a130-428bfe52bde5", "col-7390f420-efaf-43aa-9ff0-007562c1e3b9"
	editCommit(t, root, 1, idName, "swap-placeholder")
	editCommit(t, root, 1, customerName, idName)
	editCommit(t, root, 1, "swap-placeholder", customerName)
	snap, err := loadSnapshot(context.Background(), fileStore{root}, -1)
	if err != nil {
		t.Fatal(err)
	}
	sameSparkRows(t, snap, filepath.Join(c, "expected", "latest.jsonl"))
}

// TestColumnMappedTablesAreNotWritten: this writer cannot write physical
// names and field ids, so it refuses, naming the feature (legacy writer
// version 5 in the name case, writerFeatures in the id case).
func TestColumnMappedTablesAreNotWritten(t *testing.T) {
	for _, name := range []string{"column_mapping_name", "column_mapping_id"} {
		t.Run(name, func(t *testing.T) {
			tbl, err := Open(copyTable(t, filepath.Join(sparkCase(t, name), "delta")))
			if err != nil {
				t.Fatal(err)
			}
			_, err = tbl.Optimize(context.Background(), nil)
			wantUnsupported(t, err, "columnMapping", true)
		})
	}
}

// TestColumnMappingPartitionValuesByName: partition values are keyed by
// physical name in the log and by column name in Files and filters.
func TestColumnMappingPartitionValuesByName(t *testing.T) {
	tbl, err := Open(filepath.Join(sparkCase(t, "column_mapping_id"), "delta"))
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := tbl.Snapshot(context.Background())
	for _, f := range snap.Files() {
		if f.PartitionValues["currency"] == "" {
			t.Fatalf("file %s: partition values %v have no currency", f.Path, f.PartitionValues)
		}
	}
	rows, err := snap.Rows(context.Background(), func(pv map[string]string) bool { return pv["currency"] == "EUR" })
	if err != nil {
		t.Fatal(err)
	}
	cur := snap.Schema().Index("currency")
	for _, r := range rows {
		if r[cur] != "EUR" {
			t.Fatalf("filtered row has currency %v", r[cur])
		}
	}
	if len(rows) == 0 {
		t.Fatal("no EUR rows")
	}
}

package delta

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// TestColumnarCheckpointReadsAsRows: a checkpoint of this package's schema
// decoded column by column (readOwnCheckpoint) gives exactly the actions
// that parquet-go's row reconstruction gives: files with and without
// stats, null and empty partition values, txns and tombstones (rows read
// in runs around the adds).
func TestColumnarCheckpointReadsAsRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t")
	if _, err := Create(path, silverSchema, []string{"event_date"}); err != nil {
		t.Fatal(err)
	}
	root := fileStore{path}
	st := newTableState()
	if err := applyCommitFile(ctx, root, 0, st); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	for i := range 3000 {
		f := AddFile{Path: fmt.Sprintf("event_date=2024-05-%02d/part %d%%.parquet", i%28+1, i), Size: int64(i),
			ModificationTime: now + int64(i), DataChange: i%2 == 0, PartitionValues: map[string]string{"event_date": fmt.Sprintf("2024-05-%02d", i%28+1)}}
		switch i % 5 {
		case 0:
			f.Stats = fmt.Sprintf(`{"numRecords":%d}`, i)
		case 1:
			f.PartitionValues["event_date"] = "" // null
		}
		st.files[f.Path] = f
		if i%7 == 0 {
			st.tombstones["old/"+f.Path] = RemoveFile{Path: "old/" + f.Path, DeletionTimestamp: now, DataChange: true, Size: 9, HasExtendedMeta: true,
				PartitionValues: f.PartitionValues}
		}
	}
	st.txns["ingest-0"], st.txns["ingest-1"] = 41, 42
	if err := writeCheckpoint(ctx, &Snapshot{root: root, version: 1, st: st}); err != nil {
		t.Fatal(err)
	}
	f, err := root.openFile(ctx, fmt.Sprintf("%s/%020d.checkpoint.parquet", logDirName, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := parquet.OpenFile(f, f.Size())
	if err != nil {
		t.Fatal(err)
	}
	var cols, rows actions
	if err := readOwnCheckpoint(pf, &cols); err != nil {
		t.Fatal(err)
	}
	if err := readRows[cpRow](pf, &rows); err != nil {
		t.Fatal(err)
	}
	if len(cols.adds) != 3000 || len(cols.removes) != len(st.tombstones) || len(cols.txns) != 2 || cols.protocol == nil || cols.metadata == nil {
		t.Fatalf("columnar read: %d adds, %d removes, %d txns, protocol %v, metadata %v", len(cols.adds), len(cols.removes), len(cols.txns), cols.protocol, cols.metadata != nil)
	}
	for _, a := range []*actions{&cols, &rows} {
		slices.SortFunc(a.adds, func(x, y AddFile) int { return strings.Compare(x.Path, y.Path) })
		slices.SortFunc(a.removes, func(x, y RemoveFile) int { return strings.Compare(x.Path, y.Path) })
		slices.SortFunc(a.txns, func(x, y Txn) int { return strings.Compare(x.AppID, y.AppID) })
	}
	if !reflect.DeepEqual(cols, rows) {
		for i := range min(len(cols.adds), len(rows.adds)) {
			if !reflect.DeepEqual(cols.adds[i], rows.adds[i]) {
				t.Fatalf("add %d: columnar %+v, rows %+v", i, cols.adds[i], rows.adds[i])
			}
		}
		t.Fatalf("columnar and row reads differ")
	}
}

// TestFilesOrderAfterCheckpoint: Files stays sorted and complete when it
// is merged from a sorted checkpoint's order and later commits that add
// paths before, between and after the checkpoint's, remove a checkpoint
// file, and remove and re-add another.
func TestFilesOrderAfterCheckpoint(t *testing.T) {
	st := newTableState()
	st.protocol = &Protocol{MinReaderVersion: 1, MinWriterVersion: 2}
	base := []AddFile{{Path: "b"}, {Path: "d"}, {Path: "f"}, {Path: "h"}}
	if err := st.apply(actions{adds: base}); err != nil {
		t.Fatal(err)
	}
	st.noteCheckpointOrder(base)
	steps := []actions{
		{adds: []AddFile{{Path: "a"}, {Path: "e"}}},
		{removes: []RemoveFile{{Path: "d"}}, adds: []AddFile{{Path: "z"}}},
		{removes: []RemoveFile{{Path: "f"}}},
		{adds: []AddFile{{Path: "f", Size: 7}, {Path: "c"}}},
		{removes: []RemoveFile{{Path: "e"}}},
	}
	for _, a := range steps {
		st = st.clone()
		if err := st.apply(a); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, f := range st.sortedFiles() {
		got = append(got, f.Path)
		if f.Path == "f" && f.Size != 7 {
			t.Errorf("f is the checkpoint's, not the re-added file")
		}
	}
	if want := "a b c f h z"; strings.Join(got, " ") != want {
		t.Fatalf("Files %v, want %s", got, want)
	}
}

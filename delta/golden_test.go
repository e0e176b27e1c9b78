package delta

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func golden(t *testing.T, name string) *Table {
	t.Helper()
	tbl, err := Open(filepath.Join(referenceDir(t), "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// replayJSON rebuilds a version from the JSON commits only, ignoring
// checkpoints: the reference the checkpoint path must agree with.
func replayJSON(t *testing.T, root string, version int64) *tableState {
	t.Helper()
	st := newTableState()
	for v := int64(0); v <= version; v++ {
		if err := applyCommitFile(context.Background(), fileStore{root}, v, st); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// sameState compares what readers depend on: files, txns, schema, protocol.
func sameState(t *testing.T, got, want *tableState) {
	t.Helper()
	gf, wf := slices.Sorted(maps.Keys(got.files)), slices.Sorted(maps.Keys(want.files))
	if !slices.Equal(gf, wf) {
		t.Fatalf("files differ:\n got  %v\n want %v", gf, wf)
	}
	for p, a := range want.files {
		g := got.files[p]
		if g.Size != a.Size || g.Stats != a.Stats || !maps.Equal(g.PartitionValues, a.PartitionValues) {
			t.Fatalf("file %s differs: got %+v want %+v", p, g, a)
		}
	}
	if !maps.Equal(got.txns, want.txns) {
		t.Fatalf("txns differ: got %v want %v", got.txns, want.txns)
	}
	if !got.schema.Equal(want.schema) || got.protocol.MinReaderVersion != want.protocol.MinReaderVersion || got.protocol.MinWriterVersion != want.protocol.MinWriterVersion {
		t.Fatalf("schema/protocol differ: got %v %v want %v %v", got.schema, got.protocol, want.schema, want.protocol)
	}
}

func TestGoldenCheckpointEqualsReplay(t *testing.T) {
	for _, name := range []string{"checkpoint", "basic-with-inserts-deletes-checkpoint", "multi-part-checkpoint"} {
		t.Run(name, func(t *testing.T) {
			tbl := golden(t, name)
			snap, err := tbl.Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			l, _ := listLog(context.Background(), tbl.root)
			if _, ok := l.latestCheckpoint(snap.Version()); !ok {
				t.Fatal("no checkpoint found: the test would not exercise checkpoint reading")
			}
			sameState(t, snap.st, replayJSON(t, tbl.Path(), snap.Version()))
		})
	}
}

func TestGoldenInsertsDeletesAcrossCheckpoint(t *testing.T) {
	snap, err := golden(t, "basic-with-inserts-deletes-checkpoint").Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range snap.Tombstones() {
		if _, live := snap.st.files[r.Path]; live {
			t.Fatalf("removed file %s is still active", r.Path)
		}
	}
	checkStatsMatchRows(t, snap)
	_, rows := snapshotRows(t, snap)
	var want int64
	for _, f := range snap.Files() {
		want += f.NumRecords()
	}
	if int64(len(rows)) != want || want == 0 {
		t.Fatalf("rows = %d, stats say %d", len(rows), want)
	}
}

func TestGoldenMultiPartCheckpointRows(t *testing.T) {
	snap, err := golden(t, "multi-part-checkpoint").Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lc, ok := readLastCheckpoint(context.Background(), snap.root)
	if !ok || int64(len(snap.Files())) != lc.NumOfAddFiles {
		t.Fatalf("files = %d, _last_checkpoint says %d", len(snap.Files()), lc.NumOfAddFiles)
	}
	checkStatsMatchRows(t, snap)
}

func TestGoldenSnapshotVacuumed(t *testing.T) {
	ctx := context.Background()
	tbl := golden(t, "snapshot-vacuumed")
	latest, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, rows := snapshotRows(t, latest); len(rows) == 0 {
		t.Fatal("latest version has no rows")
	}
	old, err := tbl.SnapshotAt(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Rows(ctx, nil); !errors.Is(err, ErrFileMissing) {
		t.Fatalf("reading vacuumed version 0: %v, want ErrFileMissing", err)
	}
	if _, err := tbl.SnapshotAt(ctx, 99); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("version 99: %v, want ErrVersionNotFound", err)
	}
}

func TestGoldenTimeTravel(t *testing.T) {
	ctx := context.Background()
	tbl := golden(t, "time-travel-start-start20-start40")
	var prev []string
	for v := int64(0); v <= 2; v++ {
		snap, err := tbl.SnapshotAt(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		names, rows := snapshotRows(t, snap)
		set := multiset(names, rows)
		if len(rows) == 0 || slices.Equal(set, prev) {
			t.Fatalf("version %d: %d rows, same as the previous version: %v", v, len(rows), slices.Equal(set, prev))
		}
		prev = set
	}
}

func TestGoldenPartitionValues(t *testing.T) {
	ctx := context.Background()
	snap, err := golden(t, "data-reader-partition-values").Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snap.Rows(ctx, nil); err == nil {
		t.Fatal("reading nested columns should fail with a clear error")
	}
	cols := snap.PartitionColumns()
	var rows []Row
	if err := snap.ScanColumns(ctx, cols, nil, func(r Row) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows = %d, want 3", len(rows))
	}
	ts := time.Date(2021, 9, 8, 11, 11, 11, 0, time.UTC)
	nulls := 0
	for _, r := range rows {
		if r[0] == nil {
			nulls++
			for i, v := range r {
				if v != nil && cols[i] != "as_string_lit_null" {
					t.Fatalf("null partition row has %s = %v", cols[i], v)
				}
			}
			continue
		}
		i := r[0].(int32)
		want := Row{i, int64(i), int8(i), int16(i), i == 0, float32(i), float64(i), canon(i), "null", date(2021, 9, 8), ts, decimal.NewFromInt(int64(i))}
		if rowKey(cols, r) != rowKey(cols, want) {
			t.Fatalf("row\n got  %v\n want %v", rowKey(cols, r), rowKey(cols, want))
		}
	}
	if nulls != 1 {
		t.Fatalf("rows with null partition values = %d, want 1", nulls)
	}
}

func TestGoldenTypedColumns(t *testing.T) {
	for _, name := range []string{"kernel-timestamp-TIMESTAMP_MICROS", "basic-decimal-table"} {
		t.Run(name, func(t *testing.T) {
			snap, err := golden(t, name).Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			checkStatsMatchRows(t, snap)
			_, rows := snapshotRows(t, snap)
			if len(rows) != len(snap.Files()) && name == "basic-decimal-table" {
				t.Fatalf("rows = %d", len(rows))
			}
			// Partition values decode to the column type (timestamp or decimal).
			p := snap.Schema().Index("part")
			for _, r := range rows {
				switch v := r[p].(type) {
				case nil, time.Time, decimal.Decimal:
				default:
					t.Fatalf("part decoded as %T", v)
				}
			}
		})
	}
	snap, _ := golden(t, "kernel-timestamp-TIMESTAMP_MICROS").Snapshot(context.Background())
	found := false
	for _, r := range mustRows(t, snap) {
		if pt, ok := r[1].(time.Time); ok && pt.Equal(time.Date(2020, 1, 1, 8, 9, 10, 1e6, time.UTC)) {
			found = r[2].(time.Time).Equal(time.Date(2020, 2, 1, 8, 9, 10, 0, time.UTC))
		}
	}
	if !found {
		t.Fatal("row with part 2020-01-01 08:09:10.001 and time 2020-02-01T08:09:10Z not found")
	}
}

func mustRows(t *testing.T, s *Snapshot) []Row {
	t.Helper()
	_, rows := snapshotRows(t, s)
	return rows
}

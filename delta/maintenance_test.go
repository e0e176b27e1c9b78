package delta

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// dayRows makes n rows for counterSchema in the given day.
func dayRows(writer string, day time.Time, from, n int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{writer, int64(from + i), day}
	}
	return rows
}

func newCounterTable(t *testing.T) *Table {
	t.Helper()
	tbl, err := Create(filepath.Join(t.TempDir(), "t"), counterSchema, []string{"day"})
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func TestCheckpointEvery10Commits(t *testing.T) {
	ctx := context.Background()
	tbl := newCounterTable(t)
	for i := 0; i < 25; i++ {
		if _, err := tbl.Append(ctx, dayRows("w", date(2024, 1, 1+i%2), i*3, 3), CommitOptions{Txns: []Txn{{AppID: "app", Version: int64(i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []int64{10, 20} {
		if _, err := os.Stat(filepath.Join(tbl.Path(), "_delta_log", fmt.Sprintf("%020d.checkpoint.parquet", v))); err != nil {
			t.Fatalf("checkpoint %d: %v", v, err)
		}
	}
	if lc, ok := readLastCheckpoint(context.Background(), tbl.root); !ok || lc.Version != 20 {
		t.Fatalf("_last_checkpoint = %+v, %v; want version 20", lc, ok)
	}
	fromCheckpoint, err := loadSnapshot(context.Background(), tbl.root, -1)
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, fromCheckpoint.st, replayJSON(t, tbl.Path(), 25))
	names, got := snapshotRows(t, fromCheckpoint)
	if len(got) != 75 {
		t.Fatalf("rows = %d, want 75", len(got))
	}
	// Without the JSON commits a checkpoint covers, the latest version still
	// loads, and older versions fail clearly.
	for v := int64(0); v < 10; v++ {
		os.Remove(commitFile(tbl.Path(), v))
	}
	again, err := Open(tbl.Path())
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := again.Snapshot(ctx)
	n2, got2 := snapshotRows(t, snap)
	sameRows(t, n2, got2, names, got)
	if _, err := again.SnapshotAt(ctx, 5); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("SnapshotAt(5) after log cleanup: %v, want ErrVersionNotFound", err)
	}
	if v, ok := snap.TxnVersion("app"); !ok || v != 24 {
		t.Fatalf("txn from checkpoint = %d, %v", v, ok)
	}
}

func TestOverwritePartitions(t *testing.T) {
	ctx := context.Background()
	tbl := newCounterTable(t)
	d1, d2 := date(2024, 1, 1), date(2024, 1, 2)
	v1, err := tbl.Append(ctx, append(dayRows("old", d1, 0, 3), dayRows("old", d2, 0, 2)...), CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Append(ctx, dayRows("old", d1, 3, 1), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	part := []map[string]string{{"day": "2024-01-01"}}
	if _, err := tbl.OverwritePartitions(ctx, part, dayRows("new", d2, 0, 1), CommitOptions{}); err == nil {
		t.Fatal("rows outside the replaced partitions were accepted")
	}
	v, err := tbl.OverwritePartitions(ctx, part, dayRows("new", d1, 0, 2), CommitOptions{Txns: []Txn{{AppID: "gold", Version: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := tbl.Snapshot(ctx)
	names, rows := snapshotRows(t, snap)
	want := append(dayRows("new", d1, 0, 2), dayRows("old", d2, 0, 2)...)
	sameRows(t, names, rows, names, want)
	if tv, _ := snap.TxnVersion("gold"); tv != 7 {
		t.Fatalf("txn = %d", tv)
	}
	hist, _ := tbl.History(ctx)
	if hist[0].Version != v || hist[0].FilesRemoved != 2 || hist[0].FilesAdded != 1 || hist[0].OperationParameters["mode"] != "Overwrite" {
		t.Fatalf("history[0] = %+v", hist[0])
	}
	old, _ := tbl.SnapshotAt(ctx, v1)
	if _, oldRows := snapshotRows(t, old); len(oldRows) != 5 {
		t.Fatalf("time travel to %d: %d rows, want 5", v1, len(oldRows))
	}
}

func TestOptimizeAndVacuum(t *testing.T) {
	ctx := context.Background()
	tbl := newCounterTable(t)
	d1, d2 := date(2024, 1, 1), date(2024, 1, 2)
	for i := 0; i < 4; i++ {
		if _, err := tbl.Append(ctx, append(dayRows("w", d1, i*10, 10), dayRows("w", d2, i*10, 5)...), CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := tbl.Snapshot(ctx)
	names, wantRows := snapshotRows(t, before)
	res, err := tbl.Optimize(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.PartitionsOptimized != 2 || res.FilesRemoved != 8 || res.FilesAdded != 2 || res.Rows != 60 {
		t.Fatalf("optimize = %+v", res)
	}
	after, _ := tbl.Snapshot(ctx)
	_, gotRows := snapshotRows(t, after)
	sameRows(t, names, gotRows, names, wantRows)
	checkStatsMatchRows(t, after)
	commit, err := readCommit(context.Background(), tbl.root, res.Version)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range commit.adds {
		if a.DataChange {
			t.Fatal("optimize add has dataChange=true")
		}
	}
	for _, r := range commit.removes {
		if r.DataChange {
			t.Fatal("optimize remove has dataChange=true")
		}
	}
	if again, _ := tbl.Optimize(ctx, nil); again.Version != -1 {
		t.Fatalf("second optimize committed version %d", again.Version)
	}

	// An orphan from a failed write, old enough to vacuum.
	orphan := filepath.Join(tbl.Path(), "day=2024-01-01", "orphan.parquet")
	os.WriteFile(orphan, []byte("x"), 0o644)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(orphan, old, old)

	tmp := filepath.Join(tbl.Path(), "_delta_log", ".tmp-dead.json")
	os.WriteFile(tmp, []byte("{}"), 0o644)
	os.Chtimes(tmp, old, old)

	if files, _ := tbl.Vacuum(ctx, DefaultVacuumRetention, false); len(files) != 0 {
		t.Fatalf("vacuum with default retention deleted %v", files)
	}
	if files, _ := tbl.Vacuum(ctx, time.Hour, true); len(files) != 2 || files[0] != "_delta_log/.tmp-dead.json" || files[1] != "day=2024-01-01/orphan.parquet" {
		t.Fatalf("vacuum 1h dry run = %v, want only the orphan and the dead temp file", files)
	}
	dry, err := tbl.Vacuum(ctx, 0, true)
	if err != nil || len(dry) != 10 {
		t.Fatalf("dry run = %v, %v; want 8 compacted files, the orphan and the temp file", dry, err)
	}
	for _, f := range dry {
		if _, err := os.Stat(filepath.Join(tbl.Path(), f)); err != nil {
			t.Fatalf("dry run deleted %s", f)
		}
	}
	deleted, err := tbl.Vacuum(ctx, 0, false)
	if err != nil || len(deleted) != 10 {
		t.Fatalf("vacuum = %v, %v", deleted, err)
	}
	latest, _ := tbl.Snapshot(ctx)
	if _, rows := snapshotRows(t, latest); len(rows) != 60 {
		t.Fatalf("rows after vacuum = %d", len(rows))
	}
	if _, err := before.Rows(ctx, nil); !errors.Is(err, ErrFileMissing) {
		t.Fatalf("reading a vacuumed version: %v, want ErrFileMissing", err)
	}
	if _, err := os.Stat(filepath.Join(tbl.Path(), "_delta_log")); err != nil {
		t.Fatal("vacuum touched the log")
	}
}

func TestDamagedCheckpointFallsBack(t *testing.T) {
	ctx := context.Background()
	tbl := newCounterTable(t)
	for i := 0; i < 12; i++ {
		if _, err := tbl.Append(ctx, dayRows("w", date(2024, 1, 1), i, 1), CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cp := filepath.Join(tbl.Path(), "_delta_log", "00000000000000000010.checkpoint.parquet")
	if err := os.WriteFile(cp, []byte("PAR1 not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, err := loadSnapshot(context.Background(), tbl.root, -1)
	if err != nil {
		t.Fatalf("damaged checkpoint with the JSON log intact: %v", err)
	}
	if _, rows := snapshotRows(t, snap); len(rows) != 12 {
		t.Fatalf("rows = %d, want 12", len(rows))
	}
	os.Remove(commitFile(tbl.Path(), 0))
	if _, err := loadSnapshot(context.Background(), tbl.root, -1); !errors.Is(err, ErrCorruptLog) {
		t.Fatalf("damaged checkpoint and no commit 0: %v, want ErrCorruptLog", err)
	}
}

func TestCleanupLog(t *testing.T) {
	ctx := context.Background()
	tbl := newCounterTable(t)
	for i := 0; i < 23; i++ {
		if _, err := tbl.Append(ctx, dayRows("w", date(2024, 1, 1), i, 1), CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if files, _ := tbl.CleanupLog(ctx, DefaultLogRetention, false); len(files) != 0 {
		t.Fatalf("cleanup with the default retention deleted %v", files)
	}
	// Age everything up to version 20: checkpoint 20 becomes the oldest
	// state anyone may ask for.
	old := time.Now().Add(-40 * 24 * time.Hour)
	entries, _ := os.ReadDir(filepath.Join(tbl.Path(), "_delta_log"))
	for _, e := range entries {
		if e.Name() <= "00000000000000000020.json" {
			os.Chtimes(filepath.Join(tbl.Path(), "_delta_log", e.Name()), old, old)
		}
	}
	dry, err := tbl.CleanupLog(ctx, DefaultLogRetention, true)
	if err != nil || len(dry) != 21 { // commits 0–19 and checkpoint 10
		t.Fatalf("dry run = %v, %v", dry, err)
	}
	if _, err := tbl.CleanupLog(ctx, DefaultLogRetention, false); err != nil {
		t.Fatal(err)
	}
	again, err := Open(tbl.Path())
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := again.Snapshot(ctx)
	if _, rows := snapshotRows(t, snap); snap.Version() != 23 || len(rows) != 23 {
		t.Fatalf("after cleanup: version %d, %d rows", snap.Version(), len(rows))
	}
	if _, err := again.SnapshotAt(ctx, 20); err != nil {
		t.Fatalf("version 20 (the kept checkpoint): %v", err)
	}
	if _, err := again.SnapshotAt(ctx, 15); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("version 15 after cleanup: %v, want ErrVersionNotFound", err)
	}
}

// TestCachedSnapshotExpiresTombstones: a long-running process advances
// its cached snapshot commit by commit; the removes older than the
// tombstone retention must leave it, as they leave a checkpoint, or its
// memory grows with every file ever removed.
func TestCachedSnapshotExpiresTombstones(t *testing.T) {
	ctx := context.Background()
	tbl := newCounterTable(t)
	if _, err := tbl.Append(ctx, dayRows("a", date(2024, 1, 1), 0, 2), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	snap, err := tbl.Snapshot(ctx) // cached from here on
	if err != nil {
		t.Fatal(err)
	}
	files := snap.Files()
	oldMs := time.Now().Add(-tombstoneRetention - time.Hour).UnixMilli()
	newMs := time.Now().UnixMilli()
	commit := fmt.Sprintf(`{"remove":{"path":"gone-long-ago.parquet","deletionTimestamp":%d,"dataChange":true}}`+"\n"+
		`{"remove":{"path":%q,"deletionTimestamp":%d,"dataChange":true}}`+"\n", oldMs, files[0].Path, newMs)
	if err := os.WriteFile(filepath.Join(tbl.Path(), commitKey(snap.Version()+1)), []byte(commit), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, err = tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tomb := snap.Tombstones()
	if len(tomb) != 1 || tomb[0].Path != files[0].Path {
		t.Fatalf("tombstones %+v, want only %s (the other is past the retention)", tomb, files[0].Path)
	}
}

// TestCachedSnapshotForgetsRemovedPaths: a cached snapshot loaded from a
// checkpoint and advanced through many rewrites keeps no list of every
// path ever added, and still lists its files in path order.
func TestCachedSnapshotForgetsRemovedPaths(t *testing.T) {
	ctx := context.Background()
	tbl := newCounterTable(t)
	for i := 0; i < 10; i++ { // version 10 is a checkpoint
		if _, err := tbl.Append(ctx, dayRows("w", date(2024, 1, 1+i%3), i, 1), CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	again, err := Open(tbl.Path())
	if err != nil {
		t.Fatal(err)
	}
	part := []map[string]string{{"day": "2024-01-01"}}
	for i := 0; i < 40; i++ {
		if _, err := again.OverwritePartitions(ctx, part, dayRows("new", date(2024, 1, 1), i, 1), CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := again.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.st.ordered == nil {
		t.Fatal("the snapshot did not start from a sorted checkpoint")
	}
	if n := len(snap.st.addedSince); n > len(snap.st.files) {
		t.Fatalf("%d paths remembered as added since the base, %d live files", n, len(snap.st.files))
	}
	fresh, err := loadSnapshot(ctx, tbl.root, -1)
	if err != nil {
		t.Fatal(err)
	}
	got, want := snap.Files(), fresh.Files()
	if len(got) != len(want) {
		t.Fatalf("%d files, a fresh load has %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Path != want[i].Path {
			t.Fatalf("file %d: %s, a fresh load has %s", i, got[i].Path, want[i].Path)
		}
	}
}

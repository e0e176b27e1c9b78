package delta

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSnapshot100kCommits is issue 10's "one run per second" case: a
// table with 100,000 commits (a day and four hours of one micro-batch a
// second), one data file each and never compacted, so the checkpoint holds
// 100,000 files: the worst case, as compaction only shrinks it (its
// removes stay as tombstones for the retention, so the action count is
// the same). cold is what a process pays to open the table (Open +
// Snapshot: _last_checkpoint, a listing after it, the checkpoint and the
// JSON tail); refresh is what every later Snapshot call pays after one new
// commit by another writer.
func BenchmarkSnapshot100kCommits(b *testing.B) {
	const commits = 100_000
	path := buildLogTable(b, commits, true)
	b.Run("cold", func(b *testing.B) { benchColdSnapshot(b, path, commits) })
	b.Run("refresh", func(b *testing.B) { benchRefresh(b, path) })
}

// benchColdSnapshot times opening the table at path as a new process does.
func benchColdSnapshot(b *testing.B, path string, version int64) {
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op") }()
	for i := 0; i < b.N; i++ {
		tbl, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		snap, err := tbl.Snapshot(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if snap.Version() < version || int64(len(snap.Files())) != snap.Version() {
			b.Fatalf("version %d, %d files", snap.Version(), len(snap.Files()))
		}
	}
}

// benchRefresh times Snapshot on an open table after another writer
// committed once: the per-micro-batch cost of staying current. Each
// iteration's commit is made by a second Table, outside the timer.
func benchRefresh(b *testing.B, path string) {
	ctx := context.Background()
	reader, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	writer := fileStore{path}
	cur, err := reader.Snapshot(ctx)
	if err != nil {
		b.Fatal(err)
	}
	version := cur.Version()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		version++
		if err := putIfAbsent(ctx, writer, version, benchCommit(b, version)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		snap, err := reader.Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if snap.Version() != version {
			b.Fatalf("refreshed to %d, want %d", snap.Version(), version)
		}
	}
}

// benchCommit is version v's commit body: one small file and the ingest
// txn, encoded by the commit path itself.
func benchCommit(b testing.TB, v int64) []byte {
	stats := `{"numRecords":1,"minValues":{"amount":1.00},"maxValues":{"amount":1.00},"nullCount":{"amount":0}}`
	add := AddFile{Path: fmt.Sprintf("event_date=2024-05-01/part-%06d.parquet", v), PartitionValues: map[string]string{"event_date": "2024-05-01"},
		Size: 4000, ModificationTime: v, DataChange: true, Stats: stats}
	plan := &commitPlan{adds: []AddFile{add}, txns: []Txn{{AppID: "ingest-0", Version: v}}, op: "WRITE", params: map[string]any{}}
	body, err := plan.encode(v - 1)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// buildLogTable writes the log of a table with the given number of
// commits through the commit encoder and putIfAbsent (without data files,
// which loading a snapshot never opens). The newest checkpoint at the
// table's interval is a real one, written by writeCheckpoint; with
// allCheckpoints the older ones exist too, as empty files of the same
// names, so that the log directory a reader lists holds what a real one
// does (readers only open the newest). Writing each real checkpoint would
// cost the builder O(commits²). FINPIPE_BENCH_LOG_DIR keeps the log
// between runs (the 100,000-commit one takes ~40 s to write) when
// profiling; a refresh run leaves extra commits there, which the cold
// benchmark then reads as one more JSON tail entry each.
func buildLogTable(b *testing.B, commits int64, allCheckpoints bool) string {
	b.Helper()
	ctx := context.Background()
	dir := os.Getenv("FINPIPE_BENCH_LOG_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("t%d", commits))
	if _, err := os.Stat(path); err == nil {
		return path // kept from an earlier run, for profiling
	}
	if _, err := Create(path, silverSchema, []string{"event_date"}); err != nil {
		b.Fatal(err)
	}
	root := fileStore{path}
	st := newTableState()
	if err := applyCommitFile(ctx, root, 0, st); err != nil {
		b.Fatal(err)
	}
	last := commits - commits%checkpointInterval
	if last == commits {
		last -= checkpointInterval // leave a JSON tail, as a live table has
	}
	t0 := time.Now()
	for v := int64(1); v <= commits; v++ {
		if err := putIfAbsent(ctx, root, v, benchCommit(b, v)); err != nil {
			b.Fatal(err)
		}
		if v <= last {
			if err := applyCommitFile(ctx, root, v, st); err != nil {
				b.Fatal(err)
			}
		}
		switch {
		case v == last:
			if err := writeCheckpoint(ctx, &Snapshot{root: root, version: v, st: st}); err != nil {
				b.Fatal(err)
			}
		case allCheckpoints && v%checkpointInterval == 0 && v < last:
			if err := root.put(ctx, fmt.Sprintf("%s/%020d.checkpoint.parquet", logDirName, v), nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("built a %d-commit log in %s", commits, time.Since(t0).Round(time.Millisecond))
	return path
}

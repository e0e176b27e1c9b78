package delta

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSparkV2CheckpointAlone: Spark's V2 checkpoints (a UUID-named JSON
// file with sidecars) must explain the table alone: with the commits they
// cover deleted, each version from a checkpoint on reads Spark's rows.
func TestSparkV2CheckpointAlone(t *testing.T) {
	c := sparkCase(t, "checkpoint_v2")
	root := copyTable(t, filepath.Join(c, "delta"))
	for v := int64(0); v < 10; v++ {
		os.Remove(commitFile(root, v))
	}
	l, err := listLog(context.Background(), fileStore{root})
	if err != nil {
		t.Fatal(err)
	}
	cp, ok := l.latestCheckpoint(13)
	if !ok || cp.version != 10 || !strings.HasSuffix(cp.files[0], ".json") {
		t.Fatalf("latest checkpoint = %+v, want Spark's V2 checkpoint of version 10", cp)
	}
	snap, err := loadSnapshot(context.Background(), fileStore{root}, -1)
	if err != nil {
		t.Fatal(err)
	}
	sameSparkRows(t, snap, filepath.Join(c, "expected", "latest.jsonl"))
	if _, err := loadSnapshot(context.Background(), fileStore{root}, 3); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("version 3 without its commits: err = %v", err)
	}
}

// TestV2CheckpointDamage: a checkpoint whose sidecar is missing or resized
// is not used; the reader falls back to an older checkpoint or the commits.
func TestV2CheckpointDamage(t *testing.T) {
	c := sparkCase(t, "checkpoint_v2")
	for _, damage := range []string{"missing", "resized"} {
		t.Run(damage, func(t *testing.T) {
			root := copyTable(t, filepath.Join(c, "delta"))
			sidecars, _ := filepath.Glob(filepath.Join(logDir(root), sidecarsDir, "00000000000000000010.*.parquet"))
			if len(sidecars) != 1 {
				t.Fatalf("sidecars of version 10: %v", sidecars)
			}
			if damage == "missing" {
				os.Remove(sidecars[0])
			} else {
				os.Truncate(sidecars[0], 100)
			}
			l, _ := listLog(context.Background(), fileStore{root})
			cp, _ := l.latestCheckpoint(13)
			if _, err := readCheckpoint(context.Background(), cp); !errors.Is(err, ErrCorruptLog) || !strings.Contains(err.Error(), "sidecar") {
				t.Fatalf("err = %v, want a damaged checkpoint naming the sidecar", err)
			}
			snap, err := loadSnapshot(context.Background(), fileStore{root}, -1)
			if err != nil {
				t.Fatal(err)
			}
			sameSparkRows(t, snap, filepath.Join(c, "expected", "latest.jsonl"))
		})
	}
}

// TestAppendToV2CheckpointTable: writers may always write classic V1
// checkpoints, so this package writes tables with the v2Checkpoint
// feature; its checkpoint then reads like Spark's.
func TestAppendToV2CheckpointTable(t *testing.T) {
	ctx := context.Background()
	root := copyTable(t, filepath.Join(sparkCase(t, "checkpoint_v2"), "delta"))
	tbl, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := tbl.Snapshot(ctx)
	rows, _ := snap.Rows(ctx, nil)
	for i := 0; i < 7; i++ { // versions 14 to 20: 20 writes a checkpoint
		if _, err := tbl.Append(ctx, rows[i:i+1], CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(logDir(root), "00000000000000000020.checkpoint.parquet")); err != nil {
		t.Fatal(err)
	}
	for v := int64(0); v <= 20; v++ {
		os.Remove(commitFile(root, v))
	}
	after, err := loadSnapshot(context.Background(), fileStore{root}, -1)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := after.Rows(ctx, nil); len(got) != len(rows)+7 {
		t.Fatalf("%d rows from this package's checkpoint, want %d", len(got), len(rows)+7)
	}
}

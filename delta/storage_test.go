package delta

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// countingStore records the log reads of a table, to check what a reader
// asks its store for (on S3 each is a request).
type countingStore struct {
	storage
	mu     sync.Mutex
	reads  []string
	listed []string
}

func (c *countingStore) readFile(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	c.reads = append(c.reads, key)
	c.mu.Unlock()
	return c.storage.readFile(ctx, key)
}

func (c *countingStore) list(ctx context.Context, dir, startAfter string) ([]fileInfo, error) {
	out, err := c.storage.list(ctx, dir, startAfter)
	c.mu.Lock()
	for _, f := range out {
		c.listed = append(c.listed, f.key)
	}
	c.mu.Unlock()
	return out, err
}

// TestOpenListsFromLastCheckpoint: opening a table whose _last_checkpoint
// names version 10 lists only the log from 10 on (S3 start-after), not
// the eleven commits before, and reads no commit below the checkpoint.
func TestOpenListsFromLastCheckpoint(t *testing.T) {
	path := twelveCommits(t)
	cs := &countingStore{storage: fileStore{path}}
	opened, err := openAt(context.Background(), cs)
	if err != nil {
		t.Fatal(err)
	}
	if v := opened.latest.Version(); v != 12 {
		t.Fatalf("version %d, want 12", v)
	}
	for _, name := range cs.listed {
		if name < "00000000000000000010" {
			t.Errorf("listed %s, below the checkpoint at 10", name)
		}
	}
	for _, key := range cs.reads {
		if strings.HasSuffix(key, ".json") && key < commitKey(11) {
			t.Errorf("read %s: the checkpoint at 10 covers it", key)
		}
	}
	if len(cs.listed) != 0 {
		t.Errorf("listed %v: a local log after the hinted checkpoint is probed by name", cs.listed)
	}
}

// TestOpenProbeFallsBack: when the local log cannot be probed from the
// hint (the checkpoint it names is gone), the
// reader lists and still finds the latest version.
func TestOpenProbeFallsBack(t *testing.T) {
	ctx := context.Background()
	path := twelveCommits(t)
	root := fileStore{path}
	if err := root.remove(ctx, fmt.Sprintf("%s/%020d.checkpoint.parquet", logDirName, 10)); err != nil {
		t.Fatal(err)
	}
	assertOpensAt(t, root, 12)
}

// assertOpensAt opens the table in root and checks its latest version.
func assertOpensAt(t *testing.T, root storage, want int64) {
	t.Helper()
	opened, err := openAt(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if v := opened.latest.Version(); v != want {
		t.Fatalf("version %d, want %d", v, want)
	}
}

// twelveCommits makes a local table of twelve one-row commits, so that its
// _last_checkpoint names version 10 (the default checkpoint interval).
func twelveCommits(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t")
	tbl, err := Create(path, counterSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 12 {
		if _, err := tbl.Append(context.Background(), []Row{{"w", int64(c), nil}}, CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

package delta

import (
	"context"
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

func (c *countingStore) reset() {
	c.mu.Lock()
	c.reads, c.listed = nil, nil
	c.mu.Unlock()
}

// TestOpenListsFromLastCheckpoint: opening a table whose _last_checkpoint
// names version 10 lists only the log from 10 on (S3 start-after), not
// the eleven commits before, and reads no commit below the checkpoint.
func TestOpenListsFromLastCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t")
	tbl, err := Create(path, counterSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 12 {
		if _, err := tbl.Append(ctx, []Row{{"w", int64(c), nil}}, CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
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
	if len(cs.listed) == 0 {
		t.Fatal("listed nothing")
	}
}

// TestRefreshReadsOnlyNewCommits: a reader's Snapshot after another
// writer's commit reads that one commit (and finds the next absent), with
// no listing.
func TestRefreshReadsOnlyNewCommits(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t")
	writer, err := Create(path, counterSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 3 {
		if _, err := writer.Append(ctx, []Row{{"w", int64(c), nil}}, CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cs := &countingStore{storage: fileStore{path}}
	reader, err := openAt(context.Background(), cs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writer.Append(ctx, []Row{{"w", 3, nil}}, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	cs.reset()
	snap, err := reader.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Version() != 4 {
		t.Fatalf("version %d, want 4", snap.Version())
	}
	want := []string{commitKey(4), commitKey(5)}
	if strings.Join(cs.reads, ",") != strings.Join(want, ",") || len(cs.listed) != 0 {
		t.Fatalf("refresh read %v and listed %v; want reads %v and no listing", cs.reads, cs.listed, want)
	}
}
